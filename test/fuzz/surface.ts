// What a fuzzed input surface is: how to make its valid seeds, how to damage them, and the real entry point to feed.
import type { ErrorCode } from "../../common/errors.ts";
import type { Rng } from "./rng.ts";

/** One generated input: files to write into the input's own directory, plus whatever the feeder needs. */
export interface FuzzInput {
  /** Relative path → bytes, written before `feed` runs (the campaign checks nothing else appears). */
  files: Record<string, Uint8Array | string>;
  /** What was done to the valid seed, for the log. */
  what: string;
  /** Surface-specific payload (a parsed object, an argument list…). */
  data?: unknown;
}

/**
 * What went wrong with a bug: an exception other than a documented C2iError (or a dead process), a C2iError with a code
 * the surface does not document, no answer in time, a file written where none may be, a process or server left behind.
 */
export type BugKind = "crash" | "wrong-code" | "hang" | "wrote" | "leak";

export const BUG_KINDS: readonly BugKind[] = ["crash", "wrong-code", "hang", "wrote", "leak"];

/** What one input came to. */
export type Outcome =
  | { kind: "accepted" }
  | { kind: "rejected"; code: ErrorCode }
  | { kind: "bug"; bug: BugKind; reason: string };

/** Thrown by a feeder whose entry point never answered (a gRPC deadline passed): counted as a hang, not as a code. */
export class NoAnswerError extends Error {
  override readonly name = "NoAnswerError";
}

/** Thrown by a teardown that found a problem of a known kind (a compute process still alive is a leak). */
export class TeardownError extends Error {
  override readonly name = "TeardownError";
  constructor(
    readonly bug: BugKind,
    message: string,
  ) {
    super(message);
  }
}

export interface FeedContext {
  /** The input's own directory, holding its files. */
  dir: string;
}

export interface Surface<Setup = unknown> {
  /** Stable name: part of each input's seed, the test name and the table row. */
  name: string;
  /** One line for the table: what is fuzzed and through which entry point. */
  title: string;
  /** The codes the README documents for a bad input on this surface. */
  codes: readonly ErrorCode[];
  /** Once per campaign: valid seed inputs, servers, a backend. */
  setup(scratch: string): Promise<Setup>;
  /** Input `index`, from its own generator. */
  generate(rng: Rng, setup: Setup, index: number): FuzzInput;
  /**
   * Feed one input to the real entry point. Resolves on acceptance; throws what the entry point threw.
   * Returns the paths (relative to `ctx.dir`) it legitimately wrote when accepted.
   */
  feed(input: FuzzInput, setup: Setup, ctx: FeedContext): Promise<string[] | void>;
  /** After the campaign: check servers are still healthy, close what setup opened. Throws on a problem. */
  teardown?(setup: Setup): Promise<void>;
}
