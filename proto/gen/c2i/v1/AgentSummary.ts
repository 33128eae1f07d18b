// Original file: proto/c2i/v1/coordinator.proto


export interface AgentSummary {
  'id'?: (string);
  'address'?: (string);
  'backend'?: (string);
  'svd'?: (string);
  'state'?: (string);
  'inFlight'?: (number);
  'capacity'?: (number);
  'cachedModels'?: (string)[];
}

export interface AgentSummary__Output {
  'id': (string);
  'address': (string);
  'backend': (string);
  'svd': (string);
  'state': (string);
  'inFlight': (number);
  'capacity': (number);
  'cachedModels': (string)[];
}
