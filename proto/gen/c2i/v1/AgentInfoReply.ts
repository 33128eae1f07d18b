// Original file: proto/c2i/v1/agent.proto

import type { MemoryPlan as _c2i_v1_MemoryPlan, MemoryPlan__Output as _c2i_v1_MemoryPlan__Output } from '../../c2i/v1/MemoryPlan.ts';

export interface AgentInfoReply {
  'id'?: (string);
  'backend'?: (string);
  'svd'?: (string);
  'device'?: (string);
  'memoryBytes'?: (number | string);
  'cachedModels'?: (string)[];
  'capacity'?: (number);
  'inFlight'?: (number);
  'memoryBudgetBytes'?: (number | string);
  'memoryPlans'?: (_c2i_v1_MemoryPlan)[];
  '_memoryBudgetBytes'?: "memoryBudgetBytes";
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
  'memoryBudgetBytes'?: (number);
  'memoryPlans': (_c2i_v1_MemoryPlan__Output)[];
  '_memoryBudgetBytes'?: "memoryBudgetBytes";
}
