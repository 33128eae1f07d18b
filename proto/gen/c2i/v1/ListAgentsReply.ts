// Original file: proto/c2i/v1/coordinator.proto

import type { AgentSummary as _c2i_v1_AgentSummary, AgentSummary__Output as _c2i_v1_AgentSummary__Output } from '../../c2i/v1/AgentSummary.ts';

export interface ListAgentsReply {
  'agents'?: (_c2i_v1_AgentSummary)[];
}

export interface ListAgentsReply__Output {
  'agents': (_c2i_v1_AgentSummary__Output)[];
}
