// Original file: proto/c2i/v1/agent.proto


export interface InfoRequest {
}

export interface InfoRequest__Output {
}
