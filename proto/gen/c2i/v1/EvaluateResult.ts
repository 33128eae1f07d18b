// Original file: proto/c2i/v1/shards.proto

import type { Evaluation as _c2i_v1_Evaluation, Evaluation__Output as _c2i_v1_Evaluation__Output } from '../../c2i/v1/Evaluation.ts';

export interface EvaluateResult {
  'shardId'?: (string);
  'evaluations'?: (_c2i_v1_Evaluation)[];
  'timings'?: ({[key: string]: number | string});
}

export interface EvaluateResult__Output {
  'shardId': (string);
  'evaluations': (_c2i_v1_Evaluation__Output)[];
  'timings': ({[key: string]: number});
}
