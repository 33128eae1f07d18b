// Original file: proto/c2i/v1/shards.proto

import type { WorkRef as _c2i_v1_WorkRef, WorkRef__Output as _c2i_v1_WorkRef__Output } from '../../c2i/v1/WorkRef.ts';
import type { SampleSelection as _c2i_v1_SampleSelection, SampleSelection__Output as _c2i_v1_SampleSelection__Output } from '../../c2i/v1/SampleSelection.ts';

export interface ScoreShard {
  'shardId'?: (string);
  'ref'?: (_c2i_v1_WorkRef | null);
  'samples'?: (_c2i_v1_SampleSelection | null);
  'matrices'?: (string)[];
  'blockCounts'?: (number)[];
  'smallest'?: (number);
}

export interface ScoreShard__Output {
  'shardId': (string);
  'ref': (_c2i_v1_WorkRef__Output | null);
  'samples': (_c2i_v1_SampleSelection__Output | null);
  'matrices': (string)[];
  'blockCounts': (number)[];
  'smallest': (number);
}
