import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { MemoryPlan as _c2i_v1_MemoryPlan, MemoryPlan__Output as _c2i_v1_MemoryPlan__Output } from './c2i/v1/MemoryPlan.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  c2i: {
    v1: {
      MemoryPlan: MessageTypeDefinition<_c2i_v1_MemoryPlan, _c2i_v1_MemoryPlan__Output>
    }
  }
}

