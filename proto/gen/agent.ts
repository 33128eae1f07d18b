import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentInfoReply as _c2i_v1_AgentInfoReply, AgentInfoReply__Output as _c2i_v1_AgentInfoReply__Output } from './c2i/v1/AgentInfoReply.ts';
import type { AgentServiceClient as _c2i_v1_AgentServiceClient, AgentServiceDefinition as _c2i_v1_AgentServiceDefinition } from './c2i/v1/AgentService.ts';
import type { Batching as _c2i_v1_Batching, Batching__Output as _c2i_v1_Batching__Output } from './c2i/v1/Batching.ts';
import type { BlockSpectrum as _c2i_v1_BlockSpectrum, BlockSpectrum__Output as _c2i_v1_BlockSpectrum__Output } from './c2i/v1/BlockSpectrum.ts';
import type { Candidate as _c2i_v1_Candidate, Candidate__Output as _c2i_v1_Candidate__Output } from './c2i/v1/Candidate.ts';
import type { CandidateMatrix as _c2i_v1_CandidateMatrix, CandidateMatrix__Output as _c2i_v1_CandidateMatrix__Output } from './c2i/v1/CandidateMatrix.ts';
import type { CandidateSlot as _c2i_v1_CandidateSlot, CandidateSlot__Output as _c2i_v1_CandidateSlot__Output } from './c2i/v1/CandidateSlot.ts';
import type { EditDetails as _c2i_v1_EditDetails, EditDetails__Output as _c2i_v1_EditDetails__Output } from './c2i/v1/EditDetails.ts';
import type { EvaluateResult as _c2i_v1_EvaluateResult, EvaluateResult__Output as _c2i_v1_EvaluateResult__Output } from './c2i/v1/EvaluateResult.ts';
import type { EvaluateShard as _c2i_v1_EvaluateShard, EvaluateShard__Output as _c2i_v1_EvaluateShard__Output } from './c2i/v1/EvaluateShard.ts';
import type { Evaluation as _c2i_v1_Evaluation, Evaluation__Output as _c2i_v1_Evaluation__Output } from './c2i/v1/Evaluation.ts';
import type { InfoRequest as _c2i_v1_InfoRequest, InfoRequest__Output as _c2i_v1_InfoRequest__Output } from './c2i/v1/InfoRequest.ts';
import type { KSubspacesSettings as _c2i_v1_KSubspacesSettings, KSubspacesSettings__Output as _c2i_v1_KSubspacesSettings__Output } from './c2i/v1/KSubspacesSettings.ts';
import type { MatrixScore as _c2i_v1_MatrixScore, MatrixScore__Output as _c2i_v1_MatrixScore__Output } from './c2i/v1/MatrixScore.ts';
import type { MemoryPlan as _c2i_v1_MemoryPlan, MemoryPlan__Output as _c2i_v1_MemoryPlan__Output } from './c2i/v1/MemoryPlan.ts';
import type { PrepareResult as _c2i_v1_PrepareResult, PrepareResult__Output as _c2i_v1_PrepareResult__Output } from './c2i/v1/PrepareResult.ts';
import type { PrepareShard as _c2i_v1_PrepareShard, PrepareShard__Output as _c2i_v1_PrepareShard__Output } from './c2i/v1/PrepareShard.ts';
import type { SampleSelection as _c2i_v1_SampleSelection, SampleSelection__Output as _c2i_v1_SampleSelection__Output } from './c2i/v1/SampleSelection.ts';
import type { ScoreResult as _c2i_v1_ScoreResult, ScoreResult__Output as _c2i_v1_ScoreResult__Output } from './c2i/v1/ScoreResult.ts';
import type { ScoreShard as _c2i_v1_ScoreShard, ScoreShard__Output as _c2i_v1_ScoreShard__Output } from './c2i/v1/ScoreShard.ts';
import type { TaskOptions as _c2i_v1_TaskOptions, TaskOptions__Output as _c2i_v1_TaskOptions__Output } from './c2i/v1/TaskOptions.ts';
import type { WorkRef as _c2i_v1_WorkRef, WorkRef__Output as _c2i_v1_WorkRef__Output } from './c2i/v1/WorkRef.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  c2i: {
    v1: {
      AgentInfoReply: MessageTypeDefinition<_c2i_v1_AgentInfoReply, _c2i_v1_AgentInfoReply__Output>
      AgentService: SubtypeConstructor<typeof grpc.Client, _c2i_v1_AgentServiceClient> & { service: _c2i_v1_AgentServiceDefinition }
      Batching: MessageTypeDefinition<_c2i_v1_Batching, _c2i_v1_Batching__Output>
      BlockSpectrum: MessageTypeDefinition<_c2i_v1_BlockSpectrum, _c2i_v1_BlockSpectrum__Output>
      Candidate: MessageTypeDefinition<_c2i_v1_Candidate, _c2i_v1_Candidate__Output>
      CandidateMatrix: MessageTypeDefinition<_c2i_v1_CandidateMatrix, _c2i_v1_CandidateMatrix__Output>
      CandidateSlot: MessageTypeDefinition<_c2i_v1_CandidateSlot, _c2i_v1_CandidateSlot__Output>
      EditDetails: MessageTypeDefinition<_c2i_v1_EditDetails, _c2i_v1_EditDetails__Output>
      EvaluateResult: MessageTypeDefinition<_c2i_v1_EvaluateResult, _c2i_v1_EvaluateResult__Output>
      EvaluateShard: MessageTypeDefinition<_c2i_v1_EvaluateShard, _c2i_v1_EvaluateShard__Output>
      Evaluation: MessageTypeDefinition<_c2i_v1_Evaluation, _c2i_v1_Evaluation__Output>
      InfoRequest: MessageTypeDefinition<_c2i_v1_InfoRequest, _c2i_v1_InfoRequest__Output>
      KSubspacesSettings: MessageTypeDefinition<_c2i_v1_KSubspacesSettings, _c2i_v1_KSubspacesSettings__Output>
      MatrixScore: MessageTypeDefinition<_c2i_v1_MatrixScore, _c2i_v1_MatrixScore__Output>
      MemoryPlan: MessageTypeDefinition<_c2i_v1_MemoryPlan, _c2i_v1_MemoryPlan__Output>
      PrepareResult: MessageTypeDefinition<_c2i_v1_PrepareResult, _c2i_v1_PrepareResult__Output>
      PrepareShard: MessageTypeDefinition<_c2i_v1_PrepareShard, _c2i_v1_PrepareShard__Output>
      SampleSelection: MessageTypeDefinition<_c2i_v1_SampleSelection, _c2i_v1_SampleSelection__Output>
      ScoreResult: MessageTypeDefinition<_c2i_v1_ScoreResult, _c2i_v1_ScoreResult__Output>
      ScoreShard: MessageTypeDefinition<_c2i_v1_ScoreShard, _c2i_v1_ScoreShard__Output>
      TaskOptions: MessageTypeDefinition<_c2i_v1_TaskOptions, _c2i_v1_TaskOptions__Output>
      WorkRef: MessageTypeDefinition<_c2i_v1_WorkRef, _c2i_v1_WorkRef__Output>
    }
  }
}

