// Runs a sweep's cells as concurrent jobs on a JobService (embedded or a coordinator), writes each cell's outputs
// as it finishes, and resumes: finished cells are kept, and jobs a coordinator still runs are followed, not redone.
import { setMaxListeners } from "node:events";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import type { ClientJobService } from "../grpc/remote-jobs.ts";
import type { ResultDocument } from "../plan/result.ts";
import { writeAtomic } from "../report/outputs.ts";
import type { JobSpec } from "../plan/spec.ts";
import type { JobRecord } from "../store/types.ts";
import type { SweepCell } from "./spec.ts";
import { summarizeSweep, type CellOutcome, type SweepSummary } from "./summary.ts";

/** Written into a cell's folder last: its presence, with the same spec, marks the cell finished. */
const CELL_FILE = "cell.json";
/** The sweep's job ids, so a rerun follows jobs a coordinator still has instead of submitting them again. */
const STATE_FILE = "sweep-state.json";

export interface SweepRunOptions {
  /** Opened on first need: a sweep whose cells all finished earlier starts no agents. */
  openService: () => Promise<ClientJobService>;
  /** The sweep folder; each cell writes into `<out>/<cell name>/`. */
  out: string;
  cells: readonly SweepCell[];
  /** Writes a finished cell's outputs (result.json, recipe.json, report.html, maybe model/) into `dir`. */
  writeCell: (cell: SweepCell, dir: string, result: ResultDocument) => Promise<void>;
  /** Every job event, per cell (progress display). */
  onEvent?: (cell: string, event: string, data: Record<string, unknown>) => void;
  /** A cell finished (succeeded, failed or cancelled) or was found finished. */
  onCell?: (outcome: CellOutcome) => void;
  /** Stops waiting: running cells are cancelled and left unfinished. */
  signal?: AbortSignal;
  logger: Logger;
}

interface SweepState {
  format: "c2i.sweep-state/1";
  jobs: Record<string, { jobId: string; spec: JobSpec }>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The cell's earlier outputs, when they are complete and were made from the same spec. */
function finishedBefore(out: string, cell: SweepCell): ResultDocument | undefined {
  const dir = join(out, cell.name);
  const marker = readJson<{ spec: JobSpec }>(join(dir, CELL_FILE));
  if (!marker || !same(marker.spec, cell.spec)) return undefined;
  return readJson<ResultDocument>(join(dir, "result.json"));
}

export class SweepRunner {
  private state: SweepState;
  private readonly stateFile: string;
  private opened: Promise<ClientJobService> | undefined;

  constructor(private readonly o: SweepRunOptions) {
    mkdirSync(o.out, { recursive: true });
    // One abort listener per running cell: many cells are not a leak.
    if (o.signal) setMaxListeners(o.cells.length + 10, o.signal);
    this.stateFile = join(o.out, STATE_FILE);
    const stored = readJson<SweepState>(this.stateFile);
    this.state = stored?.format === "c2i.sweep-state/1" ? stored : { format: "c2i.sweep-state/1", jobs: {} };
  }

  /** Runs every unfinished cell concurrently and returns the summary of all cells (sweep.json's content). */
  async run(): Promise<SweepSummary> {
    const outcomes = await Promise.all(this.o.cells.map((cell) => this.cell(cell)));
    return summarizeSweep(outcomes);
  }

  private async cell(cell: SweepCell): Promise<CellOutcome> {
    const earlier = finishedBefore(this.o.out, cell);
    if (earlier) return this.report({ cell, state: "succeeded", result: earlier, reused: true });
    if (this.o.signal?.aborted) return this.report({ cell, state: "pending", reused: false });
    let record: JobRecord;
    try {
      const service = await this.service();
      const id = await this.jobFor(service, cell);
      if (this.o.signal?.aborted) await service.cancel(id);
      const cancel = () => void service.cancel(id).catch((e) => this.o.logger.warn({ err: e, job: id }, "cancel failed"));
      this.o.signal?.addEventListener("abort", cancel, { once: true });
      const sub = service.watch(id, (event, data) => this.o.onEvent?.(cell.name, event, data));
      try {
        record = await service.wait(id);
      } finally {
        sub.unsubscribe();
        this.o.signal?.removeEventListener("abort", cancel);
      }
    } catch (e) {
      return this.report({ cell, state: "failed", error: describeError(e), reused: false });
    }
    if (record.state !== "succeeded") {
      const interrupted = record.state === "cancelled" && this.o.signal?.aborted;
      return this.report({ cell, state: interrupted ? "pending" : (record.state as "failed" | "cancelled"), error: record.error ?? undefined, reused: false });
    }
    const result = record.result as unknown as ResultDocument;
    const dir = join(this.o.out, cell.name);
    try {
      await this.o.writeCell(cell, dir, result);
      writeAtomic(join(dir, CELL_FILE), JSON.stringify({ name: cell.name, jobId: record.id, spec: cell.spec }, null, 2) + "\n");
    } catch (e) {
      return this.report({ cell, state: "failed", error: `writing ${dir}: ${describeError(e)}`, reused: false });
    }
    return this.report({ cell, state: "succeeded", result, reused: false });
  }

  private service(): Promise<ClientJobService> {
    this.opened ??= this.o.openService();
    return this.opened;
  }

  /** The job of a cell: one the service still has from an earlier run with the same spec, else a new one. */
  private async jobFor(service: ClientJobService, cell: SweepCell): Promise<string> {
    const known = this.state.jobs[cell.name];
    if (known && same(known.spec, cell.spec)) {
      try {
        const r = await service.get(known.jobId);
        if (r.state !== "failed" && r.state !== "cancelled") {
          this.o.logger.info({ cell: cell.name, job: r.id, state: r.state }, "following the job of an earlier run");
          return r.id;
        }
      } catch {
        // Unknown to this service (an embedded run, or another coordinator): submit again.
      }
    }
    const job = await service.submit(cell.input);
    this.state.jobs[cell.name] = { jobId: job.id, spec: cell.spec };
    writeAtomic(this.stateFile, JSON.stringify(this.state, null, 2) + "\n");
    return job.id;
  }

  private report(outcome: CellOutcome): CellOutcome {
    this.o.onCell?.(outcome);
    return outcome;
  }
}
