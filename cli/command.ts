// What a CLI command is, and the one place flags and env vars are parsed and validated.
import { totalmem } from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { C2iError, ErrorCode } from "../common/errors.ts";
import { DEFAULT_MEMORY_SHARE, defaultMemoryBudgetBytes, formatBytes } from "../common/memory-plan.ts";

export interface Command {
  name: string;
  summary: string;
  /** Usage lines shown by `c2i help <name>`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parse flags strictly. Each flag may name an env var (`env`) that supplies it when absent, so
 * every flag also has an env var, read here at the edge and nowhere deeper.
 */
export function parseFlags<O extends Options>(
  argv: string[],
  options: O,
  env: Partial<Record<keyof O & string, string>> = {},
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, (e as Error).message);
  }
  const values = { ...parsed.values } as Record<string, string | boolean | string[] | boolean[] | undefined>;
  for (const [flag, name] of Object.entries(env)) {
    if (values[flag] === undefined && name && process.env[name] !== undefined) {
      const raw = process.env[name]!;
      values[flag] = options[flag]?.type === "boolean" ? raw === "1" || raw === "true" : raw;
    }
  }
  return { values, positionals: parsed.positionals };
}

export function requireString(values: Record<string, unknown>, flag: string): string {
  const v = values[flag];
  if (typeof v !== "string" || v.length === 0) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--${flag} is required`);
  }
  return v;
}

export function parseNumberList(text: string, flag: string): number[] {
  const out = text.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isFinite(n))) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--${flag} expects comma-separated numbers, got "${text}"`);
  }
  return out;
}

export function parseInteger(text: string, flag: string, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--${flag} expects an integer ≥ ${min}, got "${text}"`);
  }
  return n;
}

/** Print a result: JSON on stdout for `--json`, else the human text. */
export function output(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + "\n" : human() + "\n");
}

/** The values of the compute flags shared by every command that runs a model. */
export const BACKEND_CHOICES = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export const SVD_CHOICES = ["auto", "lapack", "typescript"] as const;
export const BLAS_CHOICES = ["auto", "off"] as const;

/** `--backend`, `--svd` and `--blas` checked, each "auto" when absent. */
export function computeFlags(values: Record<string, unknown>): {
  backend: (typeof BACKEND_CHOICES)[number];
  svd: (typeof SVD_CHOICES)[number];
  blas: (typeof BLAS_CHOICES)[number];
} {
  return {
    backend: oneOf(values.backend, "backend", BACKEND_CHOICES, "auto"),
    svd: oneOf(values.svd, "svd", SVD_CHOICES, "auto"),
    blas: oneOf(values.blas, "blas", BLAS_CHOICES, "auto"),
  };
}

/** A flag that takes one of `allowed`; absent gives `fallback`. */
export function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[], fallback: T): T;
export function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T | undefined;
export function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[], fallback?: T): T | undefined {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--${flag} must be one of ${allowed.join(", ")}, got "${String(value)}"`);
}

/** The largest `--layer-cache-mib`: 1 TiB, far past any machine's memory, so a typo of extra digits is caught. */
const MAX_LAYER_CACHE_MIB = 1 << 20;

/** `--layer-cache-mib N` → bytes: a whole number of MiB, 0 turns the layer cache off; absent gives undefined (the executor's default). */
export function parseLayerCacheMib(value: unknown, flag = "layer-cache-mib"): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_LAYER_CACHE_MIB) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `--${flag} expects a whole number of MiB from 0 (layer cache off) to ${MAX_LAYER_CACHE_MIB}, got "${String(value)}"; the default is 512 per job`,
    );
  }
  return n * 2 ** 20;
}

/** The largest `--memory-gib`: 64 TiB, past any machine's memory, so a typo of extra digits is caught. */
const MAX_MEMORY_GIB = 1 << 16;

/**
 * `--memory-gib N` → bytes: a positive number of GiB, fractions allowed (0.5); absent gives undefined, for which
 * callers take `memoryBudget`'s default (80% of the machine's memory).
 */
export function parseMemoryGib(value: unknown, flag = "memory-gib"): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  const bytes = Math.floor(n * 2 ** 30);
  if (!(n <= MAX_MEMORY_GIB && bytes >= 1)) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `--${flag} expects a number of GiB above 0 and at most ${MAX_MEMORY_GIB}, e.g. 12 or 0.5, got "${String(value)}"; ` +
        `the default is ${100 * DEFAULT_MEMORY_SHARE}% of this machine's memory`,
    );
  }
  return bytes;
}

/**
 * The memory budget `--memory-gib` gives (checked by `parseMemoryGib`), else 80% of `machineBytes` (this machine's or
 * container's memory); `source` says which, for messages; `given` whether the flag was.
 */
export function memoryBudget(value: unknown, machineBytes = machineMemoryBytes()): { bytes: number; source: string; given: boolean } {
  const bytes = parseMemoryGib(value);
  if (bytes !== undefined) return { bytes, source: `--memory-gib ${String(value).trim()}`, given: true };
  return { bytes: defaultMemoryBudgetBytes(machineBytes), source: `${100 * DEFAULT_MEMORY_SHARE}% of this machine's ${formatBytes(machineBytes)}, the default of --memory-gib`, given: false };
}

/**
 * The memory this process may use: os.totalmem(), or less when a cgroup limits it (a container: totalmem() reports
 * the host's memory; process.constrainedMemory() the limit, or 0, undefined or 2^64 when there is none).
 */
export function machineMemoryBytes(): number {
  const limit = process.constrainedMemory?.();
  return typeof limit === "number" && limit > 0 ? Math.min(limit, totalmem()) : totalmem();
}

/** The refusal of `--memory-gib` with `--coordinator`: the cluster's agents each have their own budget. */
export function memoryGibWithCoordinator(): C2iError {
  return new C2iError(ErrorCode.INVALID_ARGUMENT, "--memory-gib sets the local agents' memory budget; with --coordinator each agent has its own (`c2i agent --memory-gib N`)");
}
