// Every fuzzed input surface, in the order the campaign and its table list them.
import type { Surface } from "../surface.ts";
import { safetensorsSurface, shardedSurface } from "./checkpoint.ts";
import { datasetSurfaces } from "./datasets.ts";
import { agentGrpcSurface } from "./grpc-agent.ts";
import { coordinatorGrpcSurface } from "./grpc-coordinator.ts";
import { jobSpecSurface } from "./job-spec.ts";
import { llama2cModelSurface, llama2cTokenizerSurface } from "./llama2c.ts";
import { recipeSurface } from "./recipe.ts";
import { tokenizerSurface } from "./tokenizer.ts";

export const surfaces: readonly Surface<unknown>[] = [
  safetensorsSurface, shardedSurface, llama2cModelSurface, llama2cTokenizerSurface, tokenizerSurface,
  ...datasetSurfaces, recipeSurface, jobSpecSurface, coordinatorGrpcSurface, agentGrpcSurface,
] as unknown as readonly Surface<unknown>[];

export function surfaceNamed(name: string): Surface<unknown> {
  const s = surfaces.find((x) => x.name === name);
  if (!s) throw new Error(`no fuzz surface "${name}"; known: ${surfaces.map((x) => x.name).join(", ")}`);
  return s;
}
