// Original file: proto/c2i/v1/coordinator.proto


export interface JobEvent {
  'jobId'?: (string);
  'event'?: (string);
  'dataJson'?: (string);
}

export interface JobEvent__Output {
  'jobId': (string);
  'event': (string);
  'dataJson': (string);
}
