// Original file: proto/c2i/v1/shards.proto

import type { TaskOptions as _c2i_v1_TaskOptions, TaskOptions__Output as _c2i_v1_TaskOptions__Output } from '../../c2i/v1/TaskOptions.ts';

export interface WorkRef {
  'jobId'?: (string);
  'model'?: (string);
  'dataset'?: (string);
  'task'?: (_c2i_v1_TaskOptions | null);
  'factorization'?: (string);
  '_task'?: "task";
  '_factorization'?: "factorization";
}

export interface WorkRef__Output {
  'jobId': (string);
  'model': (string);
  'dataset': (string);
  'task'?: (_c2i_v1_TaskOptions__Output | null);
  'factorization'?: (string);
  '_task'?: "task";
  '_factorization'?: "factorization";
}
