// Original file: proto/c2i/v1/shards.proto


export interface SampleSelection {
  'name'?: (string);
  'indices'?: (number)[];
}

export interface SampleSelection__Output {
  'name': (string);
  'indices': (number)[];
}
