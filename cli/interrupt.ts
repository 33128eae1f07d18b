// Ctrl-C / SIGTERM for long CLI commands: the first signal asks for a clean stop, a second one stops at once.
/** Shell convention: 128 + the signal number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface InterruptHandlers {
  /** First SIGINT or SIGTERM: start a clean stop (cancel the job, close agents); the command then returns the exit code. */
  onFirst: (signal: StopSignal) => void;
  /** Second signal while stopping: release what must not outlive us (kill child processes) synchronously; the process exits right after. */
  onSecond: (signal: StopSignal) => void;
  /** Where the second signal's one line goes. @default process.stderr.write */
  write?: (line: string) => void;
  /** @default process.exit */
  exit?: (code: number) => never;
}

export interface InterruptWatch {
  /** The first signal received, if any. */
  received(): StopSignal | undefined;
  /** Removes the handlers: signals get Node's default behaviour again. */
  dispose(): void;
}

/** Installs SIGINT and SIGTERM handlers until `dispose`. `name` prefixes the second signal's stderr line (e.g. "c2i adapt"). */
export function watchInterrupts(name: string, handlers: InterruptHandlers): InterruptWatch {
  let first: StopSignal | undefined;
  const write = handlers.write ?? ((line: string) => void process.stderr.write(line));
  const exit = handlers.exit ?? ((code: number) => process.exit(code));
  const on = (signal: StopSignal) => () => {
    if (first === undefined) {
      first = signal;
      handlers.onFirst(signal);
      return;
    }
    handlers.onSecond(signal);
    write(`${name}: ${signal} again: stopped at once (agents killed)\n`);
    exit(SIGNAL_EXIT_CODES[first]);
  };
  const listeners = { SIGINT: on("SIGINT"), SIGTERM: on("SIGTERM") };
  process.on("SIGINT", listeners.SIGINT);
  process.on("SIGTERM", listeners.SIGTERM);
  return {
    received: () => first,
    dispose: () => {
      process.removeListener("SIGINT", listeners.SIGINT);
      process.removeListener("SIGTERM", listeners.SIGTERM);
    },
  };
}
