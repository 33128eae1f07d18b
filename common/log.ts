// Loggers are made once at the edge and passed down (`logger.child({ job, agent })`), never global.
import { pino, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  /** @default "info" (or C2I_LOG_LEVEL, read by the CLI edge) */
  level?: string;
  /** Write to stderr so that `--json` output on stdout stays clean. @default true */
  stderr?: boolean;
}

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const dest = options.stderr === false ? 1 : 2;
  return pino({ name, level: options.level ?? "info", base: { component: name } }, pino.destination({ fd: dest, sync: true }));
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
