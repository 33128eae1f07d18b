// The live view of `c2i sweep`: one line per cell (phase, shards, best so far), redrawn in place on a terminal;
// plain lines when a phase or a cell ends otherwise (logs, CI).
import type { ProgressEvent } from "../jobs/events.ts";
import type { CellOutcome } from "../sweep/summary.ts";
import type { ProgressSink } from "./progress.ts";
import { shortName } from "./rate-chart.ts";

interface CellLine {
  phase: string;
  shards: string;
  best: string;
  done?: string;
}

export class SweepProgress {
  private readonly lines = new Map<string, CellLine>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: ProgressSink, cells: readonly string[]) {
    for (const c of cells) this.lines.set(c, { phase: "queued", shards: "", best: "" });
  }

  onEvent(cell: string, event: string, data: Record<string, unknown>): void {
    const l = this.lines.get(cell);
    if (!l) return;
    if (event === "phase") {
      l.phase = `[${data.index}/${data.of}] ${data.phase}`;
      if (data.status === "finished" && !this.out.isTTY) this.out.write(`${cell}: ${data.phase} done (${data.shards} shards)\n`);
    } else if (event === "progress") {
      const p = data as unknown as ProgressEvent;
      l.shards = `${p.done}/${p.total} shards`;
      if (p.best) l.best = `best ${shortName(p.best.candidate.matrix)} K=${p.best.candidate.blocks} ρ=${p.best.candidate.rate} ${(100 * p.best.accuracy).toFixed(1)}%`;
    }
    this.schedule();
  }

  onCell(o: CellOutcome): void {
    const l = this.lines.get(o.cell.name);
    if (!l) return;
    const r = o.result;
    const acc = r ? ` test ${(100 * r.baseline.test.accuracy).toFixed(1)}% → ${(100 * r.chosen.test.accuracy).toFixed(1)}%` : "";
    const edit = r ? (r.chosen.candidate ? ` ${shortName(r.chosen.candidate.matrix)} K=${r.chosen.candidate.blocks} ρ=${r.chosen.candidate.rate}` : " no edit") : "";
    l.done = `${o.state}${o.reused ? " (earlier run)" : ""}${edit}${acc}${o.error ? `: ${o.error}` : ""}`;
    if (!this.out.isTTY) this.out.write(`${o.cell.name}: ${l.done}\n`);
    this.schedule();
  }

  /** Draws the final state (on a terminal) and stops redrawing. */
  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.out.isTTY) this.draw();
  }

  /** At most ~5 redraws a second: progress events come per shard. */
  private schedule(): void {
    if (!this.out.isTTY || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 200);
    this.timer.unref();
  }

  private draw(): void {
    const width = Math.max(20, (this.out.columns || 120) - 1);
    const name = Math.min(40, Math.max(...[...this.lines.keys()].map((k) => k.length)));
    const rows = [...this.lines].map(([cell, l]) => `${cell.padEnd(name)}  ${l.done ?? [l.phase, l.shards, l.best].filter(Boolean).join("  ")}`.slice(0, width));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
    this.out.write(`${up}${rows.map((r) => `\r\x1b[2K${r}`).join("\n")}\n`);
    this.drawn = rows.length;
  }
}
