// Errors are values with names: one class, a stable `code`, and a message that says what, where, and what to do.

export const ErrorCode = {
  CHECKPOINT_CORRUPT: "CHECKPOINT_CORRUPT",
  CHECKPOINT_MISSING_TENSOR: "CHECKPOINT_MISSING_TENSOR",
  UNSUPPORTED_ARCH: "UNSUPPORTED_ARCH",
  SHAPE_MISMATCH: "SHAPE_MISMATCH",
  TOKENIZER_MISSING: "TOKENIZER_MISSING",
  TOKENIZER_INVALID: "TOKENIZER_INVALID",
  DATASET_INVALID: "DATASET_INVALID",
  PATH_NOT_ALLOWED: "PATH_NOT_ALLOWED",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  NOT_FOUND: "NOT_FOUND",
  DOWNLOAD_FAILED: "DOWNLOAD_FAILED",
  AGENT_LOST: "AGENT_LOST",
  /** A server (the coordinator, NATS) cannot be reached. */
  UNAVAILABLE: "UNAVAILABLE",
  SHARD_FAILED: "SHARD_FAILED",
  JOB_CANCELLED: "JOB_CANCELLED",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  NUMERIC: "NUMERIC",
  /** A recipe applied to weights other than those it was made from (fingerprint, type or kept ranks differ). */
  RECIPE_MISMATCH: "RECIPE_MISMATCH",
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error type c2i throws on purpose. `code` is stable; `message` is for people. */
export class C2iError extends Error {
  override readonly name = "C2iError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isC2iError(e: unknown): e is C2iError {
  return e instanceof C2iError;
}

/** One line for a person: the code and the message, never a stack for expected errors. */
export function describeError(e: unknown): string {
  if (isC2iError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
