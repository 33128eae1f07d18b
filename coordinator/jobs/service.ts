// The job service: submit, inspect, cancel, watch and resume jobs over an injected store, bus and agent pool.
import { randomUUID } from "node:crypto";
import { C2iError, ErrorCode, describeError } from "../../common/errors.ts";
import { silentLogger, type Logger } from "../../common/log.ts";
import { subjects, type BusMessage, type EventBus, type Subscription } from "../events/types.ts";
import type { ResultDocument } from "../plan/result.ts";
import { resolveSpec, specFromRecord, type JobSpec, type JobSpecInput } from "../plan/spec.ts";
import type { AgentPool, RunOptions } from "../pool/types.ts";
import { JobState, type JobRecord, type JobStore } from "../store/types.ts";
import { JobEvent, type StateEvent } from "./events.ts";
import { runJob } from "./runner.ts";
import type { JobService } from "./types.ts";

export interface JobServiceOptions {
  store: JobStore;
  bus: EventBus;
  pool: AgentPool;
  /** @default a silent logger */
  logger?: Logger;
  /** Written into every result.json (c2i version, node, tfjs…). @default { node: process.version } */
  versions?: Record<string, string>;
  /** Per-shard options for the pool (deadline, retry callback). @default none */
  run?: Omit<RunOptions, "signal">;
  /** Job ids. @default random UUIDs */
  newId?: () => string;
}

const terminal: ReadonlySet<string> = new Set([JobState.succeeded, JobState.failed, JobState.cancelled]);

export function isTerminal(state: string): boolean {
  return terminal.has(state);
}

/** Thrown into a job's signal when the service closes: the job stays "running" in the store for `resumeUnfinished`. */
class ServiceClosing extends C2iError {
  constructor() {
    super(ErrorCode.JOB_CANCELLED, "coordinator is closing; the job resumes with resumeUnfinished()");
  }
}

export class JobServiceImpl implements JobService {
  private readonly active = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly logger: Logger;
  private readonly versions: Record<string, string>;
  private closing = false;

  constructor(private readonly options: JobServiceOptions) {
    this.logger = options.logger ?? silentLogger();
    this.versions = options.versions ?? { node: process.version };
  }

  /** Validate and store the spec, then start the job in the background; returns the queued record. */
  async submit(input: JobSpecInput): Promise<JobRecord> {
    if (this.closing) throw new C2iError(ErrorCode.INTERNAL, "job service is closed; open a new one to submit jobs");
    const spec = resolveSpec(input);
    const at = new Date().toISOString();
    const id = (this.options.newId ?? randomUUID)();
    const record = await this.options.store.create({ id, spec: spec as unknown as Record<string, unknown>, state: JobState.queued, createdAt: at, updatedAt: at });
    this.publishState(id, JobState.queued);
    this.start(id, spec);
    return record;
  }

  async get(id: string): Promise<JobRecord> {
    const r = await this.options.store.get(id);
    if (!r) throw new C2iError(ErrorCode.NOT_FOUND, `job ${id} not found; \`c2i jobs\` lists the known ones`);
    return r;
  }

  list(): Promise<JobRecord[]> {
    return this.options.store.list();
  }

  /** Stop a job: its running shards are cancelled and the record ends "cancelled". */
  async cancel(id: string): Promise<JobRecord> {
    const r = await this.get(id);
    if (isTerminal(r.state)) return r;
    const run = this.active.get(id);
    if (run) {
      run.abort.abort(new C2iError(ErrorCode.JOB_CANCELLED, `job ${id} cancelled`));
      await run.done;
      return this.get(id);
    }
    const out = await this.setState(id, JobState.cancelled, "cancelled while not running");
    return out;
  }

  /** Every event of a job as it happens (`c2i.job.<id>.>`); the caller unsubscribes. */
  watch(id: string, onEvent: (event: string, data: Record<string, unknown>) => void): Subscription {
    return this.options.bus.subscribe(subjects.jobAll(id), (m: BusMessage) => onEvent(m.subject.split(".").slice(3).join("."), m.data));
  }

  /** Resolve with the job's record once it reaches succeeded, failed or cancelled. */
  async wait(id: string): Promise<JobRecord> {
    const pending = new Promise<void>((resolve) => {
      const sub = this.watch(id, (event, data) => {
        if (event === JobEvent.state && isTerminal(String(data.state))) {
          sub.unsubscribe();
          resolve();
        }
      });
      void this.get(id).then((r) => {
        if (isTerminal(r.state)) {
          sub.unsubscribe();
          resolve();
        }
      }, () => resolve());
    });
    await pending;
    return this.get(id);
  }

  /** After a restart: start every stored job that is queued or running and not active here. */
  async resumeUnfinished(): Promise<string[]> {
    const resumed: string[] = [];
    for (const r of await this.options.store.list()) {
      if (isTerminal(r.state) || this.active.has(r.id)) continue;
      let spec: JobSpec;
      try {
        spec = specFromRecord(r.spec);
      } catch (e) {
        await this.setState(r.id, JobState.failed, `stored spec is invalid: ${describeError(e)}`);
        continue;
      }
      this.logger.info({ job: r.id, phase: r.phase }, "resuming job");
      this.start(r.id, spec);
      resumed.push(r.id);
    }
    return resumed;
  }

  /** Stop running jobs without marking them finished (they resume on the next start); the store, bus and pool stay open: their opener closes them. */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.active.values()];
    for (const run of runs) run.abort.abort(new ServiceClosing());
    await Promise.all(runs.map((r) => r.done));
  }

  private start(id: string, spec: JobSpec): void {
    const abort = new AbortController();
    const done = this.execute(id, spec, abort.signal).finally(() => this.active.delete(id));
    this.active.set(id, { abort, done });
  }

  private async execute(id: string, spec: JobSpec, signal: AbortSignal): Promise<void> {
    const { store, bus, pool } = this.options;
    try {
      await this.setState(id, JobState.running);
      const result: ResultDocument = await runJob(id, spec, { store, bus, pool, logger: this.logger, versions: this.versions, ...(this.options.run ? { run: this.options.run } : {}) }, signal);
      await store.update(id, (r) => ({ ...r, state: JobState.succeeded, phase: undefined, result: result as unknown as Record<string, unknown>, updatedAt: new Date().toISOString() }));
      this.publishState(id, JobState.succeeded);
    } catch (e) {
      if (signal.reason instanceof ServiceClosing) {
        this.logger.info({ job: id }, "job left running for resume (service closing)");
        return;
      }
      const cancelled = signal.aborted;
      this.logger[cancelled ? "info" : "error"]({ job: id, err: describeError(e) }, cancelled ? "job cancelled" : "job failed");
      await this.setState(id, cancelled ? JobState.cancelled : JobState.failed, describeError(e)).catch(() => undefined);
    }
  }

  private async setState(id: string, state: JobState, error?: string): Promise<JobRecord> {
    const r = await this.options.store.update(id, (cur) => {
      const next: JobRecord = { ...cur, state, updatedAt: new Date().toISOString() };
      if (error !== undefined) next.error = error;
      return next;
    });
    this.publishState(id, state, error);
    return r;
  }

  private publishState(id: string, state: JobState, error?: string): void {
    const event: StateEvent = { job: id, state, ...(error !== undefined ? { error } : {}) };
    this.options.bus.publish(subjects.jobEvent(id, JobEvent.state), { ...event });
  }
}
