// Original file: proto/c2i/v1/shards.proto

import type { MatrixScore as _c2i_v1_MatrixScore, MatrixScore__Output as _c2i_v1_MatrixScore__Output } from '../../c2i/v1/MatrixScore.ts';

export interface ScoreResult {
  'shardId'?: (string);
  'loss'?: (number | string);
  'scores'?: (_c2i_v1_MatrixScore)[];
  'timings'?: ({[key: string]: number | string});
}

export interface ScoreResult__Output {
  'shardId': (string);
  'loss': (number);
  'scores': (_c2i_v1_MatrixScore__Output)[];
  'timings': ({[key: string]: number});
}
