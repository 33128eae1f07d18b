// Original file: proto/c2i/v1/shards.proto

import type { BlockSpectrum as _c2i_v1_BlockSpectrum, BlockSpectrum__Output as _c2i_v1_BlockSpectrum__Output } from '../../c2i/v1/BlockSpectrum.ts';

export interface MatrixScore {
  'matrix'?: (string);
  'blocks'?: (number);
  'score'?: (number | string);
  'smallest'?: (_c2i_v1_BlockSpectrum)[];
}

export interface MatrixScore__Output {
  'matrix': (string);
  'blocks': (number);
  'score': (number);
  'smallest': (_c2i_v1_BlockSpectrum__Output)[];
}
