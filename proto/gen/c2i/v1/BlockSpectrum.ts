// Original file: proto/c2i/v1/shards.proto


export interface BlockSpectrum {
  'block'?: (number);
  'sigma'?: (number | string)[];
  'grad'?: (number | string)[];
}

export interface BlockSpectrum__Output {
  'block': (number);
  'sigma': (number)[];
  'grad': (number)[];
}
