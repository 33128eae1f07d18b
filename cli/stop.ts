// Stopping a server command (`c2i agent`, `c2i coordinator`) on SIGTERM/SIGINT within a bounded time, whatever
// state NATS is in: Kubernetes sends SIGTERM, waits its grace period, then SIGKILLs.
import { describeError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { SIGNAL_EXIT_CODES } from "./interrupt.ts";

/** Exit codes of a stopped server. */
const ServerExit = {
  /** The signal arrived and every part shut down. */
  clean: 0,
  /** The signal arrived, but a part of the shutdown failed (e.g. NATS unreachable): the process still ends. */
  incomplete: 1,
} as const;


/** How long `close` may take after the first signal when `--stop-grace-ms` is not given, ms. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * The share of the stop grace a server gives its in-flight gRPC calls (half), so that the compute process, NATS and
 * /metrics still close inside the grace instead of the deadline cutting them off.
 */
export function callGraceMs(stopGraceMs = DEFAULT_STOP_GRACE_MS): number {
  return Math.floor(stopGraceMs / 2);
}

export interface StopOptions {
  /** The command's name in the one line printed at the end, e.g. "agent". */
  name: string;
  log: Logger;
  /** Frees everything the server holds; may reject or hang, which the deadline bounds. */
  close: () => Promise<void>;
  /** How long `close` may take after the first signal before the process ends anyway, ms. @default 10000 */
  graceMs?: number;
  /** Where the final line goes. @default process.stderr */
  out?: NodeJS.WritableStream;
}

/**
 * SIGTERM/SIGINT, counted from the moment it is made: make it before starting the server and printing its ready
 * line, so a signal sent as soon as that line is read is never met by Node's default action (exit without cleanup).
 */
export class StopSignals {
  private readonly received: string[] = [];
  private waiters: { n: number; resolve: (sig: string) => void }[] = [];
  private readonly on = (sig: string) => {
    this.received.push(sig);
    const due = this.waiters.filter((w) => w.n <= this.received.length);
    this.waiters = this.waiters.filter((w) => w.n > this.received.length);
    for (const w of due) w.resolve(this.received[w.n - 1]!);
  };

  constructor() {
    process.on("SIGINT", this.on);
    process.on("SIGTERM", this.on);
  }

  /** Resolves with the `n`-th signal (1-based), at once if it already came. */
  nth(n: number): Promise<string> {
    if (this.received.length >= n) return Promise.resolve(this.received[n - 1]!);
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /**
   * Waits for the first signal, then closes the server. Returns the exit code: `ServerExit.clean` (0),
   * `ServerExit.incomplete` (1) when `close` failed, or 128 + signal (143 / 130) when `close` outlasted `graceMs` or
   * a second signal came. One line on `out` says which. Connections that keep retrying (a NATS client reconnecting
   * to a server that is gone) cannot hold the process: it exits once the code is known.
   */
  async serve(options: StopOptions): Promise<number> {
    const sig = await this.nth(1);
    const graceMs = options.graceMs ?? DEFAULT_STOP_GRACE_MS;
    options.log.info({ signal: sig, graceMs }, `${options.name} stopping`);
    let timer: NodeJS.Timeout | undefined;
    const forced = (SIGNAL_EXIT_CODES as Readonly<Record<string, number>>)[sig] ?? 1;
    const outcome = await Promise.race([
      options.close().then(() => ({ code: ServerExit.clean as number, why: "" }), (e: unknown) => ({ code: ServerExit.incomplete as number, why: `; shutdown incomplete: ${describeError(e)}` })),
      this.nth(2).then((second) => ({ code: forced, why: `; ${second} again: stopped at once` })),
      new Promise<{ code: number; why: string }>((resolve) => {
        timer = setTimeout(() => resolve({ code: forced, why: `; shutdown still running after ${graceMs} ms: stopped anyway` }), graceMs);
      }),
    ]);
    clearTimeout(timer);
    (options.out ?? process.stderr).write(`c2i ${options.name}: stopped by ${sig}${outcome.why} (exit ${outcome.code})\n`);
    // A forced stop ends now, with the shutdown still running; after a finished one, whatever still holds the event
    // loop (reconnect timers, half-closed sockets) must not keep the process alive either.
    if (outcome.code === forced) process.exit(outcome.code);
    setTimeout(() => process.exit(outcome.code), 200).unref();
    return outcome.code;
  }
}
