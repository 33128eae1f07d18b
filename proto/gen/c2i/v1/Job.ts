// Original file: proto/c2i/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface Job {
  'id'?: (string);
  'state'?: (string);
  'phase'?: (string);
  'createdAt'?: (string);
  'updatedAt'?: (string);
  'specJson'?: (string);
  'resultJson'?: (string);
  'error'?: (string);
  'revision'?: (number | string | Long);
  '_phase'?: "phase";
  '_resultJson'?: "resultJson";
  '_error'?: "error";
}

export interface Job__Output {
  'id': (string);
  'state': (string);
  'phase'?: (string);
  'createdAt': (string);
  'updatedAt': (string);
  'specJson': (string);
  'resultJson'?: (string);
  'error'?: (string);
  'revision': (number);
  '_phase'?: "phase";
  '_resultJson'?: "resultJson";
  '_error'?: "error";
}
