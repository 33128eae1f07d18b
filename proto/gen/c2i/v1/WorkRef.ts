// Original file: proto/c2i/v1/shards.proto

import type { TaskOptions as _c2i_v1_TaskOptions, TaskOptions__Output as _c2i_v1_TaskOptions__Output } from '../../c2i/v1/TaskOptions.ts';
import type { SampleSelection as _c2i_v1_SampleSelection, SampleSelection__Output as _c2i_v1_SampleSelection__Output } from '../../c2i/v1/SampleSelection.ts';
import type { Batching as _c2i_v1_Batching, Batching__Output as _c2i_v1_Batching__Output } from '../../c2i/v1/Batching.ts';

export interface WorkRef {
  'jobId'?: (string);
  'model'?: (string);
  'dataset'?: (string);
  'task'?: (_c2i_v1_TaskOptions | null);
  'factorization'?: (string);
  'clustering'?: (string);
  'calibration'?: (_c2i_v1_SampleSelection | null);
  'batching'?: (_c2i_v1_Batching | null);
  '_task'?: "task";
  '_factorization'?: "factorization";
  '_clustering'?: "clustering";
  '_calibration'?: "calibration";
  '_batching'?: "batching";
}

export interface WorkRef__Output {
  'jobId': (string);
  'model': (string);
  'dataset': (string);
  'task'?: (_c2i_v1_TaskOptions__Output | null);
  'factorization'?: (string);
  'clustering'?: (string);
  'calibration'?: (_c2i_v1_SampleSelection__Output | null);
  'batching'?: (_c2i_v1_Batching__Output | null);
  '_task'?: "task";
  '_factorization'?: "factorization";
  '_clustering'?: "clustering";
  '_calibration'?: "calibration";
  '_batching'?: "batching";
}
