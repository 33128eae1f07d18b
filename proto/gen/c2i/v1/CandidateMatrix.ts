// Original file: proto/c2i/v1/shards.proto


export interface CandidateMatrix {
  'name'?: (string);
  'layer'?: (number);
  'kind'?: (string);
  'rows'?: (number);
  'cols'?: (number);
}

export interface CandidateMatrix__Output {
  'name': (string);
  'layer': (number);
  'kind': (string);
  'rows': (number);
  'cols': (number);
}
