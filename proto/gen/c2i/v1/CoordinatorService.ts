// Original file: proto/c2i/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _c2i_v1_CancelJobRequest, CancelJobRequest__Output as _c2i_v1_CancelJobRequest__Output } from '../../c2i/v1/CancelJobRequest.ts';
import type { GetJobRequest as _c2i_v1_GetJobRequest, GetJobRequest__Output as _c2i_v1_GetJobRequest__Output } from '../../c2i/v1/GetJobRequest.ts';
import type { Job as _c2i_v1_Job, Job__Output as _c2i_v1_Job__Output } from '../../c2i/v1/Job.ts';
import type { JobEvent as _c2i_v1_JobEvent, JobEvent__Output as _c2i_v1_JobEvent__Output } from '../../c2i/v1/JobEvent.ts';
import type { ListAgentsReply as _c2i_v1_ListAgentsReply, ListAgentsReply__Output as _c2i_v1_ListAgentsReply__Output } from '../../c2i/v1/ListAgentsReply.ts';
import type { ListAgentsRequest as _c2i_v1_ListAgentsRequest, ListAgentsRequest__Output as _c2i_v1_ListAgentsRequest__Output } from '../../c2i/v1/ListAgentsRequest.ts';
import type { ListJobsReply as _c2i_v1_ListJobsReply, ListJobsReply__Output as _c2i_v1_ListJobsReply__Output } from '../../c2i/v1/ListJobsReply.ts';
import type { ListJobsRequest as _c2i_v1_ListJobsRequest, ListJobsRequest__Output as _c2i_v1_ListJobsRequest__Output } from '../../c2i/v1/ListJobsRequest.ts';
import type { SubmitJobRequest as _c2i_v1_SubmitJobRequest, SubmitJobRequest__Output as _c2i_v1_SubmitJobRequest__Output } from '../../c2i/v1/SubmitJobRequest.ts';
import type { WatchJobRequest as _c2i_v1_WatchJobRequest, WatchJobRequest__Output as _c2i_v1_WatchJobRequest__Output } from '../../c2i/v1/WatchJobRequest.ts';

export interface CoordinatorServiceClient extends grpc.Client {
  CancelJob(argument: _c2i_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _c2i_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _c2i_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _c2i_v1_CancelJobRequest, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _c2i_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _c2i_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _c2i_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _c2i_v1_CancelJobRequest, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  
  GetJob(argument: _c2i_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _c2i_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _c2i_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _c2i_v1_GetJobRequest, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _c2i_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _c2i_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _c2i_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _c2i_v1_GetJobRequest, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  
  ListAgents(argument: _c2i_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _c2i_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _c2i_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _c2i_v1_ListAgentsRequest, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _c2i_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _c2i_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _c2i_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _c2i_v1_ListAgentsRequest, callback: grpc.requestCallback<_c2i_v1_ListAgentsReply__Output>): grpc.ClientUnaryCall;
  
  ListJobs(argument: _c2i_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _c2i_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _c2i_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _c2i_v1_ListJobsRequest, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _c2i_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _c2i_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _c2i_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _c2i_v1_ListJobsRequest, callback: grpc.requestCallback<_c2i_v1_ListJobsReply__Output>): grpc.ClientUnaryCall;
  
  SubmitJob(argument: _c2i_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _c2i_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _c2i_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _c2i_v1_SubmitJobRequest, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _c2i_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _c2i_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _c2i_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _c2i_v1_SubmitJobRequest, callback: grpc.requestCallback<_c2i_v1_Job__Output>): grpc.ClientUnaryCall;
  
  WatchJob(argument: _c2i_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_c2i_v1_JobEvent__Output>;
  WatchJob(argument: _c2i_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_c2i_v1_JobEvent__Output>;
  watchJob(argument: _c2i_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_c2i_v1_JobEvent__Output>;
  watchJob(argument: _c2i_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_c2i_v1_JobEvent__Output>;
  
}

export interface CoordinatorServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelJob: grpc.handleUnaryCall<_c2i_v1_CancelJobRequest__Output, _c2i_v1_Job>;
  
  GetJob: grpc.handleUnaryCall<_c2i_v1_GetJobRequest__Output, _c2i_v1_Job>;
  
  ListAgents: grpc.handleUnaryCall<_c2i_v1_ListAgentsRequest__Output, _c2i_v1_ListAgentsReply>;
  
  ListJobs: grpc.handleUnaryCall<_c2i_v1_ListJobsRequest__Output, _c2i_v1_ListJobsReply>;
  
  SubmitJob: grpc.handleUnaryCall<_c2i_v1_SubmitJobRequest__Output, _c2i_v1_Job>;
  
  WatchJob: grpc.handleServerStreamingCall<_c2i_v1_WatchJobRequest__Output, _c2i_v1_JobEvent>;
  
}

export interface CoordinatorServiceDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_c2i_v1_CancelJobRequest, _c2i_v1_Job, _c2i_v1_CancelJobRequest__Output, _c2i_v1_Job__Output>
  GetJob: MethodDefinition<_c2i_v1_GetJobRequest, _c2i_v1_Job, _c2i_v1_GetJobRequest__Output, _c2i_v1_Job__Output>
  ListAgents: MethodDefinition<_c2i_v1_ListAgentsRequest, _c2i_v1_ListAgentsReply, _c2i_v1_ListAgentsRequest__Output, _c2i_v1_ListAgentsReply__Output>
  ListJobs: MethodDefinition<_c2i_v1_ListJobsRequest, _c2i_v1_ListJobsReply, _c2i_v1_ListJobsRequest__Output, _c2i_v1_ListJobsReply__Output>
  SubmitJob: MethodDefinition<_c2i_v1_SubmitJobRequest, _c2i_v1_Job, _c2i_v1_SubmitJobRequest__Output, _c2i_v1_Job__Output>
  WatchJob: MethodDefinition<_c2i_v1_WatchJobRequest, _c2i_v1_JobEvent, _c2i_v1_WatchJobRequest__Output, _c2i_v1_JobEvent__Output>
}
