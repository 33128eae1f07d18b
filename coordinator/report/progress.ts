// The live progress of `c2i adapt`: one rewritten line on a TTY, plain lines otherwise (logs, CI).
import type { ProgressEvent } from "../jobs/events.ts";

export interface ProgressSink {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return "…";
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function bestText(p: Partial<ProgressEvent>): string {
  if (!p.best) return "";
  const c = p.best.candidate;
  const name = c.matrix.replace(/^(model|transformer|gpt_neox)\./, "").replace(/\.weight$/, "");
  const base = p.baseline !== undefined ? ` vs baseline ${(100 * p.baseline).toFixed(1)}%` : "";
  return `  best ${name} K=${c.blocks} ρ=${c.rate} ${(100 * p.best.accuracy).toFixed(1)}%${base}`;
}

export class ProgressDisplay {
  private phaseOf = "";
  private lastPlain = -1;
  private open = false;
  private readonly started = Date.now();

  constructor(private readonly out: ProgressSink) {}

  onEvent(job: string, event: string, data: Record<string, unknown>): void {
    if (event === "phase") {
      this.phaseOf = `[${data.index}/${data.of}] ${data.phase}`;
      if (data.status === "finished") this.line(`${job} ${this.phaseOf} done in ${seconds(Number(data.ms))} (${data.shards} shards${data.reused ? `, ${data.reused} reused` : ""})`, true);
      return;
    }
    if (event === "progress") {
      const p = data as unknown as ProgressEvent;
      const text = `${job} ${this.phaseOf}  ${p.done}/${p.total} shards  ETA ${seconds(p.etaMs)}${bestText(p)}`;
      if (this.out.isTTY) return this.line(text, false);
      // Plain output: about every 25% of a phase, not every shard.
      const quarter = p.total === 0 ? 4 : Math.floor((4 * p.done) / p.total);
      if (quarter !== this.lastPlain && p.done !== p.total) {
        this.lastPlain = quarter;
        this.line(text, true);
      }
      return;
    }
    if (event === "state" && (data.state === "failed" || data.state === "cancelled")) this.line(`${job} ${data.state}: ${data.error ?? ""}`, true);
  }

  /** Finish the live line (before printing anything else). */
  end(): void {
    if (this.open) this.out.write("\n");
    this.open = false;
    this.lastPlain = -1;
    if (!this.out.isTTY) this.out.write(`elapsed ${seconds(Date.now() - this.started)}\n`);
  }

  private line(text: string, keep: boolean): void {
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns || 120) - 1); // 0 or undefined: width unknown (e.g. under `script`)
      this.out.write(`\r\x1b[2K${text.slice(0, width)}`);
      this.open = !keep;
      if (keep) this.out.write("\n");
      return;
    }
    this.out.write(text + "\n");
  }
}
