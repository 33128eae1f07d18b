// Original file: proto/c2i/v1/shards.proto

import type { WorkRef as _c2i_v1_WorkRef, WorkRef__Output as _c2i_v1_WorkRef__Output } from '../../c2i/v1/WorkRef.ts';

export interface PrepareShard {
  'shardId'?: (string);
  'ref'?: (_c2i_v1_WorkRef | null);
}

export interface PrepareShard__Output {
  'shardId': (string);
  'ref': (_c2i_v1_WorkRef__Output | null);
}
