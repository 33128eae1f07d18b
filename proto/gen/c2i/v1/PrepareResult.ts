// Original file: proto/c2i/v1/shards.proto

import type { CandidateMatrix as _c2i_v1_CandidateMatrix, CandidateMatrix__Output as _c2i_v1_CandidateMatrix__Output } from '../../c2i/v1/CandidateMatrix.ts';

export interface PrepareResult {
  'shardId'?: (string);
  'rows'?: (number);
  'protocol'?: (string);
  'candidates'?: (_c2i_v1_CandidateMatrix)[];
  'modelFingerprint'?: (string);
  'modelType'?: (string);
  'timings'?: ({[key: string]: number | string});
}

export interface PrepareResult__Output {
  'shardId': (string);
  'rows': (number);
  'protocol': (string);
  'candidates': (_c2i_v1_CandidateMatrix__Output)[];
  'modelFingerprint': (string);
  'modelType': (string);
  'timings': ({[key: string]: number});
}
