// Original file: proto/c2i/v1/shards.proto


export interface KSubspacesSettings {
  'rank'?: (number);
  'maxIterations'?: (number);
  'init'?: (string);
  'seed'?: (number);
  '_rank'?: "rank";
  '_maxIterations'?: "maxIterations";
  '_init'?: "init";
  '_seed'?: "seed";
}

export interface KSubspacesSettings__Output {
  'rank'?: (number);
  'maxIterations'?: (number);
  'init'?: (string);
  'seed'?: (number);
  '_rank'?: "rank";
  '_maxIterations'?: "maxIterations";
  '_init'?: "init";
  '_seed'?: "seed";
}
