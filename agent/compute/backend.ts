// Chooses the tfjs backend at start-up (GPU → native → wasm → cpu), fills the wasm gaps, adds BLAS kernels.
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode, describeError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { registerAttentionKernels } from "./attention/register.ts";
import { registerBlasKernels, type BlasRegistration } from "./blas/register.ts";
import { registerGapKernels } from "./kernels/register.ts";

export const BackendPreference = {
  auto: "auto",
  tensorflowGpu: "tensorflow-gpu",
  tensorflow: "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
} as const;
export type BackendPreference = (typeof BackendPreference)[keyof typeof BackendPreference];

export interface SelectBackendOptions {
  /** Which backend to use; "auto" tries tensorflow-gpu, tensorflow, wasm, cpu in that order. @default "auto" */
  prefer?: BackendPreference;
  /** "off" keeps the backend's own matMul kernels (the CLI maps C2I_BLAS=off here). @default "auto" */
  blas?: "auto" | "off";
  /** OpenBLAS threads for this process (benches only: results depend on it, see COMPUTE_THREADS). @default COMPUTE_THREADS (1) */
  blasThreads?: number;
  logger: Logger;
}

export interface SelectedBackend {
  /** tfjs backend name: "tensorflow" (tfjs-node and tfjs-node-gpu), "wasm" or "cpu". */
  name: string;
  /** Which candidate won: "tensorflow-gpu", "tensorflow", "wasm" or "cpu". */
  kind: Exclude<BackendPreference, "auto">;
  /** BLAS-backed matMul kernels are active. */
  blas: boolean;
  blasReason: string;
  /** OpenBLAS's kernel family when the BLAS kernels are active (e.g. "Haswell"), else undefined. */
  blasCore?: string;
  /** The fused BLAS attention kernels are active (agent/compute/attention; needs the BLAS kernels). */
  fusedAttention: boolean;
  /** Kernels this process registered to fill backend gaps. */
  gapKernels: string[];
  /** Why each candidate tried before the winner was not used. */
  skipped: { kind: string; reason: string }[];
}

const ORDER = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
type Kind = (typeof ORDER)[number];

/** Folder holding the wasm binaries on disk (Node cannot fetch them by URL). */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + path.sep;
}

async function activate(kind: Kind): Promise<string> {
  switch (kind) {
    case "tensorflow-gpu":
      // Optional dependency: installs only on CUDA images. The name is built at run time so that the
      // type checker does not require the package.
      await import(["@tensorflow", "tfjs-node-gpu"].join("/"));
      return "tensorflow";
    case "tensorflow":
      await import(["@tensorflow", "tfjs-node"].join("/"));
      return "tensorflow";
    case "wasm": {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(wasmBinaryDir());
      return "wasm";
    }
    case "cpu":
      return "cpu";
  }
}

/**
 * Makes one backend active for this process and reports which one won and why the others did not,
 * in one log line. Throws INVALID_ARGUMENT when an explicitly preferred backend cannot start.
 */
export async function selectBackend(options: SelectBackendOptions): Promise<SelectedBackend> {
  const prefer = options.prefer ?? "auto";
  if (prefer !== "auto" && !ORDER.includes(prefer)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `unknown backend "${prefer}"; use one of auto, ${ORDER.join(", ")}`);
  }
  const candidates: readonly Kind[] = prefer === "auto" ? ORDER : [prefer];
  // tfjs prints a "install tfjs-node" banner on stderr the first time the cpu backend holds data; the
  // choice is ours and logged below, so keep stderr for c2i's own lines.
  tf.env().set("PROD", true);
  const skipped: { kind: string; reason: string }[] = [];
  for (const kind of candidates) {
    try {
      const name = await activate(kind);
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") returned false`);
      await tf.ready();
      const gap = registerGapKernels(name);
      let blas: BlasRegistration = { enabled: false, reason: "not applicable to native TensorFlow" };
      let fusedAttention = false;
      if (name === "wasm" || name === "cpu") {
        blas =
          options.blas === "off"
            ? { enabled: false, reason: "disabled by option blas=off" }
            : registerBlasKernels(name, { threads: options.blasThreads, logger: options.logger });
        fusedAttention = registerAttentionKernels(name, { enabled: blas.enabled, blas: blas.blas }).enabled;
      }
      const selected: SelectedBackend = {
        name,
        kind,
        blas: blas.enabled,
        blasReason: blas.reason,
        ...(blas.blas ? { blasCore: blas.blas.core } : {}),
        fusedAttention,
        gapKernels: gap.registered,
        skipped,
      };
      options.logger.info(
        { backend: name, kind, blas: blas.enabled, blasReason: blas.reason, fusedAttention, gapKernels: gap.registered, skipped },
        `tfjs backend: ${kind}` +
          (skipped.length > 0 ? ` (skipped ${skipped.map((s) => `${s.kind}: ${s.reason}`).join("; ")})` : "") +
          `; BLAS ${blas.enabled ? "on" : "off"} (${blas.reason})` +
          (fusedAttention ? "; fused attention on" : ""),
      );
      return selected;
    } catch (e) {
      skipped.push({ kind, reason: firstLine(describeError(e)) });
    }
  }
  throw new C2iError(
    ErrorCode.INVALID_ARGUMENT,
    `no tfjs backend could start: ${skipped.map((s) => `${s.kind}: ${s.reason}`).join("; ")}` +
      (prefer !== "auto" ? `; unset C2I_BACKEND or choose another backend` : ""),
  );
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? s;
  return line.length > 200 ? line.slice(0, 200) + "…" : line;
}
