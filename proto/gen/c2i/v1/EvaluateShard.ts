// Original file: proto/c2i/v1/shards.proto

import type { WorkRef as _c2i_v1_WorkRef, WorkRef__Output as _c2i_v1_WorkRef__Output } from '../../c2i/v1/WorkRef.ts';
import type { SampleSelection as _c2i_v1_SampleSelection, SampleSelection__Output as _c2i_v1_SampleSelection__Output } from '../../c2i/v1/SampleSelection.ts';
import type { CandidateSlot as _c2i_v1_CandidateSlot, CandidateSlot__Output as _c2i_v1_CandidateSlot__Output } from '../../c2i/v1/CandidateSlot.ts';

export interface EvaluateShard {
  'shardId'?: (string);
  'ref'?: (_c2i_v1_WorkRef | null);
  'samples'?: (_c2i_v1_SampleSelection | null);
  'candidates'?: (_c2i_v1_CandidateSlot)[];
  'earlyStopTarget'?: (number);
  'describeEdits'?: (boolean);
  '_earlyStopTarget'?: "earlyStopTarget";
  '_describeEdits'?: "describeEdits";
}

export interface EvaluateShard__Output {
  'shardId': (string);
  'ref': (_c2i_v1_WorkRef__Output | null);
  'samples': (_c2i_v1_SampleSelection__Output | null);
  'candidates': (_c2i_v1_CandidateSlot__Output)[];
  'earlyStopTarget'?: (number);
  'describeEdits'?: (boolean);
  '_earlyStopTarget'?: "earlyStopTarget";
  '_describeEdits'?: "describeEdits";
}
