// Original file: proto/c2i/v1/shards.proto


export interface Batching {
  'batchSize'?: (number);
  'chunkSize'?: (number);
}

export interface Batching__Output {
  'batchSize': (number);
  'chunkSize': (number);
}
