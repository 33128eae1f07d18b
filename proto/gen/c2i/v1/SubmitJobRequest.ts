// Original file: proto/c2i/v1/coordinator.proto


export interface SubmitJobRequest {
  'specJson'?: (string);
}

export interface SubmitJobRequest__Output {
  'specJson': (string);
}
