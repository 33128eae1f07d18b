// Original file: proto/c2i/v1/shards.proto


export interface Candidate {
  'matrix'?: (string);
  'blocks'?: (number);
  'rate'?: (number | string);
}

export interface Candidate__Output {
  'matrix': (string);
  'blocks': (number);
  'rate': (number);
}
