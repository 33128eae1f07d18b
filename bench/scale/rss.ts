// Peak resident memory of a process and all its descendants, polled from /proc (Linux) while it runs.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessPeak {
  pid: number;
  /** What ran: "c2i <command>" for the CLI, "agent" for a local agent, else the executable's arguments, shortened. */
  role: string;
  /** Highest VmHWM seen (the kernel's own peak RSS of the process), MiB. */
  peakMiB: number;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** pid → parent pid of every process now. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    // Field 4 follows the command name in parentheses, which may itself hold spaces or parentheses.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : NaN;
    if (Number.isFinite(ppid)) out.set(Number(entry), ppid);
  }
  return out;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function roleOf(pid: number): string | undefined {
  const argv = read(`/proc/${pid}/cmdline`)?.split("\0").filter(Boolean);
  if (!argv || argv.length === 0) return undefined;
  const c2i = argv.findIndex((a) => a.endsWith("bin/c2i.mjs"));
  if (c2i >= 0) return `c2i ${argv[c2i + 1] ?? ""}`.trim();
  if (argv.some((a) => /agent/.test(a))) return "agent";
  return argv.slice(0, 3).join(" ").slice(0, 60);
}

/** Polls every `intervalMs` until stopped; `stop()` returns each process's peak, largest first. */
export function watchPeakRss(root: number, intervalMs = 250): { stop(): ProcessPeak[] } {
  const peaks = new Map<number, ProcessPeak>();
  const poll = () => {
    for (const pid of descendants(root)) {
      const hwm = read(`/proc/${pid}/status`)?.match(/^VmHWM:\s+(\d+) kB/m);
      if (!hwm) continue;
      const mib = Number(hwm[1]) / 1024;
      const known = peaks.get(pid);
      if (known) known.peakMiB = Math.max(known.peakMiB, mib);
      else peaks.set(pid, { pid, role: roleOf(pid) ?? "?", peakMiB: mib });
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return [...peaks.values()].sort((a, b) => b.peakMiB - a.peakMiB);
    },
  };
}
