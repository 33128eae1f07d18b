// The real CLI (`node bin/c2i.mjs …`) as a watched child process: peak RSS of its process tree, a time limit, and how it ended.
import { execSync, spawn } from "node:child_process";
import { join } from "node:path";
import { watchPeakRss, type ProcessPeak } from "./rss.ts";

export interface CliExit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  wallS: number;
  /** Set when the time limit stopped the run. */
  stoppedAfterMin?: number;
  /** Peak RSS of every process of the tree, largest first. */
  peaks: ProcessPeak[];
}

export interface CliRunOptions {
  /** The repository whose bin/c2i.mjs runs (also the working directory). */
  root: string;
  /** SIGTERM to the process group after this many minutes, SIGKILL 30 s later. */
  timeoutMin: number;
  log: (line: string) => void;
}

/** `node bin/c2i.mjs args`, watched for peak RSS; stopped after the time limit. */
export function runCli(args: string[], options: CliRunOptions): Promise<CliExit> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(options.root, "bin/c2i.mjs"), ...args], { cwd: options.root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const watch = watchPeakRss(child.pid!);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
    });
    let stoppedAfterMin: number | undefined;
    let kill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      stoppedAfterMin = (performance.now() - t0) / 60000;
      options.log(`stopping ${args[0]} after ${stoppedAfterMin.toFixed(1)} min`);
      process.kill(-child.pid!, "SIGTERM");
      kill = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000);
    }, options.timeoutMin * 60_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (kill) clearTimeout(kill);
      const peaks = watch.stop();
      done({ code, signal, stdout, stderr, wallS: (performance.now() - t0) / 1000, peaks, ...(stoppedAfterMin !== undefined ? { stoppedAfterMin } : {}) });
    });
  });
}

/** What the wasm heap's failed allocation looks like: the process dies instead of refusing. */
const WASM_ABORT = /RuntimeError: (memory access out of bounds|Aborted)/;

export type CliStatus = "completed" | "refused" | "crashed" | "stopped";

/** completed (exit 0), refused (non-zero exit), crashed (the wasm heap aborted the process) or stopped (time limit). */
export function cliStatus(r: CliExit): CliStatus {
  if (r.stoppedAfterMin !== undefined) return "stopped";
  if (r.code === 0) return "completed";
  return WASM_ABORT.test(r.stderr) ? "crashed" : "refused";
}

/** The line of stderr that says why the run ended: the last one, not progress or JSON. */
export function lastWords(stderr: string): string {
  const lines = stderr.split(/[\r\n]+/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith("{") && !l.startsWith("elapsed"));
  return (lines.at(-1) ?? "").slice(0, 1500);
}

/** The last commit that changed the product (not bench/): which engine a run measured. */
export function engineCommit(root: string): string {
  return execSync("git log -1 --format=%h -- agent coordinator cli common proto bin", { cwd: root }).toString().trim();
}
