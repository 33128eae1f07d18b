// Start-up of everything a process needs to run shards: tfjs backend, SVD, ShardExecutor (local agent and CLI share it).
import type { Logger } from "../../common/log.ts";
import { selectBackend, type BackendPreference } from "../compute/backend.ts";
import { selectSvd } from "../linalg/svd/select.ts";
import type { Svd, SvdPreference } from "../linalg/svd/types.ts";
import { ShardExecutor } from "./executor.ts";
import type { ShardExecutorOptions } from "./executor-options.ts";

export interface LocalEngineOptions {
  /** @default "auto" */
  backend?: BackendPreference;
  /** @default "auto" */
  svd?: SvdPreference;
  /** @default "auto" */
  blas?: "auto" | "off";
  logger: Logger;
  /** Passed on to the executor (svd and logger are filled in here). */
  executor?: Omit<ShardExecutorOptions, "svd" | "logger">;
}

export interface LocalEngine {
  executor: ShardExecutor;
  svd: Svd;
  /**
   * What computes, as agents report it: e.g. "wasm", "wasm+blas(Haswell)", "cpu", "tensorflow". Two agents with the
   * same description compute a job's numbers to the same bits (the coordinator warns when a job's agents differ).
   */
  backend: string;
  blas: boolean;
  close(): Promise<void>;
}

export async function startLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  const backend = await selectBackend({ prefer: options.backend ?? "auto", blas: options.blas ?? "auto", logger: options.logger });
  const svd = selectSvd({ prefer: options.svd ?? "auto", logger: options.logger });
  const executor = new ShardExecutor({ ...options.executor, svd, logger: options.logger });
  return {
    executor,
    svd,
    backend: backend.blas ? `${backend.name}+blas(${backend.blasCore})` : backend.name,
    blas: backend.blas,
    close: () => executor.close(),
  };
}
