// Original file: proto/c2i/v1/shards.proto

import type { Candidate as _c2i_v1_Candidate, Candidate__Output as _c2i_v1_Candidate__Output } from '../../c2i/v1/Candidate.ts';

export interface CandidateSlot {
  'candidate'?: (_c2i_v1_Candidate | null);
  '_candidate'?: "candidate";
}

export interface CandidateSlot__Output {
  'candidate'?: (_c2i_v1_Candidate__Output | null);
  '_candidate'?: "candidate";
}
