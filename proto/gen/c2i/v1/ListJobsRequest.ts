// Original file: proto/c2i/v1/coordinator.proto


export interface ListJobsRequest {
}

export interface ListJobsRequest__Output {
}
