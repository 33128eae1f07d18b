// Original file: proto/c2i/v1/coordinator.proto


export interface ListAgentsRequest {
}

export interface ListAgentsRequest__Output {
}
