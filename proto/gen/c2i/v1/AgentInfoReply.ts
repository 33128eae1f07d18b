// Original file: proto/c2i/v1/agent.proto


export interface AgentInfoReply {
  'id'?: (string);
  'backend'?: (string);
  'svd'?: (string);
  'device'?: (string);
  'memoryBytes'?: (number | string);
  'cachedModels'?: (string)[];
  'capacity'?: (number);
  'inFlight'?: (number);
}

export interface AgentInfoReply__Output {
  'id': (string);
  'backend': (string);
  'svd': (string);
  'device': (string);
  'memoryBytes': (number);
  'cachedModels': (string)[];
  'capacity': (number);
  'inFlight': (number);
}
