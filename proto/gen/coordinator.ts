import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentSummary as _c2i_v1_AgentSummary, AgentSummary__Output as _c2i_v1_AgentSummary__Output } from './c2i/v1/AgentSummary.ts';
import type { CancelJobRequest as _c2i_v1_CancelJobRequest, CancelJobRequest__Output as _c2i_v1_CancelJobRequest__Output } from './c2i/v1/CancelJobRequest.ts';
import type { CoordinatorServiceClient as _c2i_v1_CoordinatorServiceClient, CoordinatorServiceDefinition as _c2i_v1_CoordinatorServiceDefinition } from './c2i/v1/CoordinatorService.ts';
import type { GetJobRequest as _c2i_v1_GetJobRequest, GetJobRequest__Output as _c2i_v1_GetJobRequest__Output } from './c2i/v1/GetJobRequest.ts';
import type { Job as _c2i_v1_Job, Job__Output as _c2i_v1_Job__Output } from './c2i/v1/Job.ts';
import type { JobEvent as _c2i_v1_JobEvent, JobEvent__Output as _c2i_v1_JobEvent__Output } from './c2i/v1/JobEvent.ts';
import type { ListAgentsReply as _c2i_v1_ListAgentsReply, ListAgentsReply__Output as _c2i_v1_ListAgentsReply__Output } from './c2i/v1/ListAgentsReply.ts';
import type { ListAgentsRequest as _c2i_v1_ListAgentsRequest, ListAgentsRequest__Output as _c2i_v1_ListAgentsRequest__Output } from './c2i/v1/ListAgentsRequest.ts';
import type { ListJobsReply as _c2i_v1_ListJobsReply, ListJobsReply__Output as _c2i_v1_ListJobsReply__Output } from './c2i/v1/ListJobsReply.ts';
import type { ListJobsRequest as _c2i_v1_ListJobsRequest, ListJobsRequest__Output as _c2i_v1_ListJobsRequest__Output } from './c2i/v1/ListJobsRequest.ts';
import type { MemoryPlan as _c2i_v1_MemoryPlan, MemoryPlan__Output as _c2i_v1_MemoryPlan__Output } from './c2i/v1/MemoryPlan.ts';
import type { SubmitJobRequest as _c2i_v1_SubmitJobRequest, SubmitJobRequest__Output as _c2i_v1_SubmitJobRequest__Output } from './c2i/v1/SubmitJobRequest.ts';
import type { WatchJobRequest as _c2i_v1_WatchJobRequest, WatchJobRequest__Output as _c2i_v1_WatchJobRequest__Output } from './c2i/v1/WatchJobRequest.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  c2i: {
    v1: {
      AgentSummary: MessageTypeDefinition<_c2i_v1_AgentSummary, _c2i_v1_AgentSummary__Output>
      CancelJobRequest: MessageTypeDefinition<_c2i_v1_CancelJobRequest, _c2i_v1_CancelJobRequest__Output>
      CoordinatorService: SubtypeConstructor<typeof grpc.Client, _c2i_v1_CoordinatorServiceClient> & { service: _c2i_v1_CoordinatorServiceDefinition }
      GetJobRequest: MessageTypeDefinition<_c2i_v1_GetJobRequest, _c2i_v1_GetJobRequest__Output>
      Job: MessageTypeDefinition<_c2i_v1_Job, _c2i_v1_Job__Output>
      JobEvent: MessageTypeDefinition<_c2i_v1_JobEvent, _c2i_v1_JobEvent__Output>
      ListAgentsReply: MessageTypeDefinition<_c2i_v1_ListAgentsReply, _c2i_v1_ListAgentsReply__Output>
      ListAgentsRequest: MessageTypeDefinition<_c2i_v1_ListAgentsRequest, _c2i_v1_ListAgentsRequest__Output>
      ListJobsReply: MessageTypeDefinition<_c2i_v1_ListJobsReply, _c2i_v1_ListJobsReply__Output>
      ListJobsRequest: MessageTypeDefinition<_c2i_v1_ListJobsRequest, _c2i_v1_ListJobsRequest__Output>
      MemoryPlan: MessageTypeDefinition<_c2i_v1_MemoryPlan, _c2i_v1_MemoryPlan__Output>
      SubmitJobRequest: MessageTypeDefinition<_c2i_v1_SubmitJobRequest, _c2i_v1_SubmitJobRequest__Output>
      WatchJobRequest: MessageTypeDefinition<_c2i_v1_WatchJobRequest, _c2i_v1_WatchJobRequest__Output>
    }
  }
}

