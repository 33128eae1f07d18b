// Original file: proto/c2i/v1/shards.proto

import type { Candidate as _c2i_v1_Candidate, Candidate__Output as _c2i_v1_Candidate__Output } from '../../c2i/v1/Candidate.ts';
import type { EditDetails as _c2i_v1_EditDetails, EditDetails__Output as _c2i_v1_EditDetails__Output } from '../../c2i/v1/EditDetails.ts';

export interface Evaluation {
  'candidate'?: (_c2i_v1_Candidate | null);
  'accuracy'?: (number | string);
  'loss'?: (number | string);
  'n'?: (number);
  'correct'?: (number);
  'stoppedEarly'?: (boolean);
  'keptRanks'?: (number)[];
  'details'?: (_c2i_v1_EditDetails | null);
  'lossParts'?: (number | string)[];
  '_candidate'?: "candidate";
  '_stoppedEarly'?: "stoppedEarly";
  '_details'?: "details";
}

export interface Evaluation__Output {
  'candidate'?: (_c2i_v1_Candidate__Output | null);
  'accuracy': (number);
  'loss': (number);
  'n': (number);
  'correct': (number);
  'stoppedEarly'?: (boolean);
  'keptRanks': (number)[];
  'details'?: (_c2i_v1_EditDetails__Output | null);
  'lossParts': (number)[];
  '_candidate'?: "candidate";
  '_stoppedEarly'?: "stoppedEarly";
  '_details'?: "details";
}
