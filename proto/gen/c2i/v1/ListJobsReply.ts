// Original file: proto/c2i/v1/coordinator.proto

import type { Job as _c2i_v1_Job, Job__Output as _c2i_v1_Job__Output } from '../../c2i/v1/Job.ts';

export interface ListJobsReply {
  'jobs'?: (_c2i_v1_Job)[];
}

export interface ListJobsReply__Output {
  'jobs': (_c2i_v1_Job__Output)[];
}
