// Ctrl-C and SIGTERM on a running `c2i adapt` (real processes, the generated demo): prompt stop, no orphaned
// agents, the job recorded as cancelled, nothing written to --out, exit 130 / 143 with one line on stderr.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive } from "../fixtures/processes.ts";

const BIN = join(import.meta.dirname, "../../bin/c2i.mjs");
const dir = mkdtempSync(join(tmpdir(), "c2i-cancel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pids whose parent is `pid` (from /proc; Linux only, like the rest of the suite). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the ppid; the command name (field 2) may hold spaces, so split after its ")".
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}


interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The local agents' pids, seen while the job was evaluating. */
  agents: number[];
  out: string;
}

/**
 * Starts `c2i adapt` in its own process group (as a shell runs a foreground job), waits until the evaluate
 * phase has started (its progress line on stderr), then sends `signal` to the group (Ctrl-C: every process of a
 * terminal's foreground job gets SIGINT) or to the CLI process alone.
 */
function interruptAdapt(name: string, signal: "SIGINT" | "SIGTERM", target: "group" | "process", agents: number): Promise<Run> {
  const out = join(dir, name);
  const child = spawn(
    process.execPath,
    [BIN, "adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", join(dir, "cache"), "--out", out, "--strategy", "laser", "--agents", String(agents), "--json"],
    { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, C2I_LOG_LEVEL: "warn" } },
  );
  let stdout = "";
  let stderr = "";
  let seen: number[] = [];
  let sent = false;
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
    if (!sent && /^laser \[\d\/\d\] evaluate /m.test(stderr)) {
      sent = true;
      seen = childrenOf(child.pid!);
      process.kill(target === "group" ? -child.pid! : child.pid!, signal);
    }
  });
  return new Promise((resolve) => child.once("close", (code, sig) => resolve({ code, signal: sig, stdout, stderr, agents: seen, out })));
}

describe("c2i adapt stopped by a signal", () => {
  it("Ctrl-C (SIGINT to the process group) cancels the job, stops every agent and exits 130 with one line", async () => {
    const run = await interruptAdapt("int", "SIGINT", "group", 2);
    expect(run.agents, `agents seen while evaluating:\n${run.stderr}`).toHaveLength(2);
    expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: 130, signal: null });
    expect(run.agents.filter(alive), "local agents still running after the CLI exited").toEqual([]);
    const lines = run.stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^c2i adapt: interrupted by SIGINT: laser job \S+ cancelled in phase evaluate; local agents stopped; nothing written to /);
    expect(run.stderr).not.toMatch(/AGENT_LOST|exited with code|Error:/);
    const record = JSON.parse(run.stdout) as { interrupted: string; exitCode: number; job: { state: string; phase: string; strategy: string }; files: string[] };
    expect(record).toMatchObject({ interrupted: "SIGINT", exitCode: 130, job: { state: "cancelled", phase: "evaluate", strategy: "laser" }, files: [] });
    expect(existsSync(run.out)).toBe(false);
  }, 60_000);

  it("SIGTERM to the CLI alone does the same with exit code 143", async () => {
    const run = await interruptAdapt("term", "SIGTERM", "process", 1);
    expect(run.agents).toHaveLength(1);
    expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: 143, signal: null });
    expect(run.agents.filter(alive)).toEqual([]);
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(/^c2i adapt: interrupted by SIGTERM: laser job \S+ cancelled/);
    expect(JSON.parse(run.stdout)).toMatchObject({ interrupted: "SIGTERM", exitCode: 143, job: { state: "cancelled" } });
    expect(existsSync(run.out)).toBe(false);
  }, 60_000);
});
