// Original file: proto/c2i/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentInfoReply as _c2i_v1_AgentInfoReply, AgentInfoReply__Output as _c2i_v1_AgentInfoReply__Output } from '../../c2i/v1/AgentInfoReply.ts';
import type { EvaluateResult as _c2i_v1_EvaluateResult, EvaluateResult__Output as _c2i_v1_EvaluateResult__Output } from '../../c2i/v1/EvaluateResult.ts';
import type { EvaluateShard as _c2i_v1_EvaluateShard, EvaluateShard__Output as _c2i_v1_EvaluateShard__Output } from '../../c2i/v1/EvaluateShard.ts';
import type { InfoRequest as _c2i_v1_InfoRequest, InfoRequest__Output as _c2i_v1_InfoRequest__Output } from '../../c2i/v1/InfoRequest.ts';
import type { PrepareResult as _c2i_v1_PrepareResult, PrepareResult__Output as _c2i_v1_PrepareResult__Output } from '../../c2i/v1/PrepareResult.ts';
import type { PrepareShard as _c2i_v1_PrepareShard, PrepareShard__Output as _c2i_v1_PrepareShard__Output } from '../../c2i/v1/PrepareShard.ts';
import type { ScoreResult as _c2i_v1_ScoreResult, ScoreResult__Output as _c2i_v1_ScoreResult__Output } from '../../c2i/v1/ScoreResult.ts';
import type { ScoreShard as _c2i_v1_ScoreShard, ScoreShard__Output as _c2i_v1_ScoreShard__Output } from '../../c2i/v1/ScoreShard.ts';

export interface AgentServiceClient extends grpc.Client {
  Evaluate(argument: _c2i_v1_EvaluateShard, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  Evaluate(argument: _c2i_v1_EvaluateShard, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  Evaluate(argument: _c2i_v1_EvaluateShard, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  Evaluate(argument: _c2i_v1_EvaluateShard, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  evaluate(argument: _c2i_v1_EvaluateShard, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  evaluate(argument: _c2i_v1_EvaluateShard, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  evaluate(argument: _c2i_v1_EvaluateShard, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  evaluate(argument: _c2i_v1_EvaluateShard, callback: grpc.requestCallback<_c2i_v1_EvaluateResult__Output>): grpc.ClientUnaryCall;
  
  Info(argument: _c2i_v1_InfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  Info(argument: _c2i_v1_InfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  Info(argument: _c2i_v1_InfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  Info(argument: _c2i_v1_InfoRequest, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  info(argument: _c2i_v1_InfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  info(argument: _c2i_v1_InfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  info(argument: _c2i_v1_InfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  info(argument: _c2i_v1_InfoRequest, callback: grpc.requestCallback<_c2i_v1_AgentInfoReply__Output>): grpc.ClientUnaryCall;
  
  Prepare(argument: _c2i_v1_PrepareShard, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _c2i_v1_PrepareShard, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _c2i_v1_PrepareShard, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _c2i_v1_PrepareShard, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  prepare(argument: _c2i_v1_PrepareShard, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  prepare(argument: _c2i_v1_PrepareShard, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  prepare(argument: _c2i_v1_PrepareShard, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  prepare(argument: _c2i_v1_PrepareShard, callback: grpc.requestCallback<_c2i_v1_PrepareResult__Output>): grpc.ClientUnaryCall;
  
  Score(argument: _c2i_v1_ScoreShard, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  Score(argument: _c2i_v1_ScoreShard, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  Score(argument: _c2i_v1_ScoreShard, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  Score(argument: _c2i_v1_ScoreShard, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  score(argument: _c2i_v1_ScoreShard, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  score(argument: _c2i_v1_ScoreShard, metadata: grpc.Metadata, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  score(argument: _c2i_v1_ScoreShard, options: grpc.CallOptions, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  score(argument: _c2i_v1_ScoreShard, callback: grpc.requestCallback<_c2i_v1_ScoreResult__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Evaluate: grpc.handleUnaryCall<_c2i_v1_EvaluateShard__Output, _c2i_v1_EvaluateResult>;
  
  Info: grpc.handleUnaryCall<_c2i_v1_InfoRequest__Output, _c2i_v1_AgentInfoReply>;
  
  Prepare: grpc.handleUnaryCall<_c2i_v1_PrepareShard__Output, _c2i_v1_PrepareResult>;
  
  Score: grpc.handleUnaryCall<_c2i_v1_ScoreShard__Output, _c2i_v1_ScoreResult>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Evaluate: MethodDefinition<_c2i_v1_EvaluateShard, _c2i_v1_EvaluateResult, _c2i_v1_EvaluateShard__Output, _c2i_v1_EvaluateResult__Output>
  Info: MethodDefinition<_c2i_v1_InfoRequest, _c2i_v1_AgentInfoReply, _c2i_v1_InfoRequest__Output, _c2i_v1_AgentInfoReply__Output>
  Prepare: MethodDefinition<_c2i_v1_PrepareShard, _c2i_v1_PrepareResult, _c2i_v1_PrepareShard__Output, _c2i_v1_PrepareResult__Output>
  Score: MethodDefinition<_c2i_v1_ScoreShard, _c2i_v1_ScoreResult, _c2i_v1_ScoreShard__Output, _c2i_v1_ScoreResult__Output>
}
