// Original file: proto/c2i/v1/coordinator.proto

import type { MemoryPlan as _c2i_v1_MemoryPlan, MemoryPlan__Output as _c2i_v1_MemoryPlan__Output } from '../../c2i/v1/MemoryPlan.ts';

export interface AgentSummary {
  'id'?: (string);
  'address'?: (string);
  'backend'?: (string);
  'svd'?: (string);
  'state'?: (string);
  'inFlight'?: (number);
  'capacity'?: (number);
  'cachedModels'?: (string)[];
  'memoryBudgetBytes'?: (number | string);
  'memoryPlans'?: (_c2i_v1_MemoryPlan)[];
  '_memoryBudgetBytes'?: "memoryBudgetBytes";
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
  'memoryBudgetBytes'?: (number);
  'memoryPlans': (_c2i_v1_MemoryPlan__Output)[];
  '_memoryBudgetBytes'?: "memoryBudgetBytes";
}
