// Original file: proto/c2i/v1/shards.proto


export interface TaskOptions {
  'template'?: (string);
  'lengthNormalise'?: (boolean);
  'maxTokens'?: (number);
  '_template'?: "template";
  '_lengthNormalise'?: "lengthNormalise";
  '_maxTokens'?: "maxTokens";
}

export interface TaskOptions__Output {
  'template'?: (string);
  'lengthNormalise'?: (boolean);
  'maxTokens'?: (number);
  '_template'?: "template";
  '_lengthNormalise'?: "lengthNormalise";
  '_maxTokens'?: "maxTokens";
}
