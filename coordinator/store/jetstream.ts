// JobStore on JetStream KV: CAS updates retried on conflict; one key per shard result written
// with `create`, so a duplicate result is refused by the server itself (exactly-once counting).
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { silentLogger } from "../../common/log.ts";
import type { ShardResult } from "../../common/shards.ts";
import { closeNats, connectNats, watchNatsStatus, type NatsOptions } from "../../common/nats.ts";
import type { JobRecord, JobStore } from "./types.ts";

export interface JetStreamStoreOptions {
  /** KV bucket name. @default "c2i_jobs" */
  bucket?: string;
  /** How long an operation keeps retrying through a NATS outage before failing, ms. @default 60000 */
  outageToleranceMs?: number;
  /** Per-request timeout of the JetStream API, ms. @default 5000 */
  requestTimeoutMs?: number;
  /** CAS attempts before `update` gives up on a hot key. @default 50 */
  maxCasAttempts?: number;
  logger?: Logger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** KV keys allow [-/_=.a-zA-Z0-9] and dots split tokens: escape everything else (and dots) as =XX. */
export function keyToken(id: string): string {
  return Array.from(encoder.encode(id), (b) => {
    const c = String.fromCharCode(b);
    return /[-_a-zA-Z0-9]/.test(c) ? c : `=${b.toString(16).padStart(2, "0")}`;
  }).join("");
}

function jobKey(id: string): string {
  return `job.${keyToken(id)}`;
}

function shardKey(jobId: string, shardId: string): string {
  return `shard.${keyToken(jobId)}.${keyToken(shardId)}`;
}

/** JetStream API error codes: 10071 wrong last sequence (CAS lost), 10164 … key exists. */
function isConflict(e: unknown): boolean {
  const err = e as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  const code = err.api_error?.err_code;
  return code === 10071 || /wrong last sequence|key exists/i.test(err.message ?? "");
}

/**
 * Errors that pass when NATS is back. "jetstream is not enabled" too: a restarted nats-server takes connections a
 * moment before its JetStream is up (seen in bench/soak: a job failed on it right after a restart).
 */
export function isOutage(e: unknown): boolean {
  const msg = (e as Error)?.message ?? "";
  return /timeout|no responders|disconnect|connection|closed|reconnect|503|unavailable|jetstream is not enabled/i.test(msg) && !/CLOSED$/.test(msg);
}

export class JetStreamJobStore implements JobStore {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly owned: boolean,
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly options: Required<Omit<JetStreamStoreOptions, "logger">> & { logger: Logger },
  ) {}

  /** Opens (and owns) a connection and the bucket, creating it on first use. */
  static async connect(nats: NatsOptions, options: JetStreamStoreOptions = {}): Promise<JetStreamJobStore> {
    const nc = await connectNats(nats, "is nats-server running with -js? check --nats");
    watchNatsStatus(nc, options.logger ?? silentLogger());
    try {
      return await JetStreamJobStore.open(nc, options, true);
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  /** Uses a connection the caller owns. */
  static async open(nc: NatsConnection, options: JetStreamStoreOptions = {}, owned = false): Promise<JetStreamJobStore> {
    const full = {
      bucket: options.bucket ?? "c2i_jobs",
      outageToleranceMs: options.outageToleranceMs ?? 60_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
      maxCasAttempts: options.maxCasAttempts ?? 50,
      logger: options.logger ?? silentLogger(),
    };
    const js = jetstream(nc, { timeout: full.requestTimeoutMs });
    let kv: KV;
    try {
      // history 1: only the latest record matters; CAS uses the revision. No TTL (2.9 ignores it).
      kv = await new Kvm(js).create(full.bucket, { history: 1 });
    } catch (e) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `cannot open JetStream KV bucket "${full.bucket}": ${(e as Error).message} (start nats-server with -js)`, { cause: e });
    }
    return new JetStreamJobStore(nc, owned, kv, await jetstreamManager(nc, { timeout: full.requestTimeoutMs }), full);
  }

  /** Runs `op`, waiting out NATS outages (reconnects) up to outageToleranceMs. */
  private async patient<T>(what: string, op: () => Promise<T>): Promise<T> {
    const start = Date.now();
    let delay = 100;
    for (;;) {
      try {
        return await op();
      } catch (e) {
        if (!isOutage(e) || Date.now() - start > this.options.outageToleranceMs) throw e;
        this.options.logger.warn({ op: what, err: (e as Error).message }, "JetStream unavailable, retrying");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  private async read(id: string): Promise<JobRecord | undefined> {
    const entry = await this.patient("get", () => this.kv.get(jobKey(id)));
    if (!entry || entry.operation !== "PUT") return undefined;
    return { ...(entry.json<Omit<JobRecord, "revision">>()), revision: entry.revision };
  }

  async create(record: Omit<JobRecord, "revision">): Promise<JobRecord> {
    const { revision: _ignored, ...plain } = record as JobRecord;
    try {
      const revision = await this.patient("create", () => this.kv.create(jobKey(record.id), encoder.encode(JSON.stringify(plain))));
      return { ...plain, revision };
    } catch (e) {
      if (isConflict(e)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job ${record.id} already exists in bucket ${this.options.bucket}`, { cause: e });
      throw e;
    }
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.read(id);
  }

  async update(id: string, change: (current: JobRecord) => JobRecord): Promise<JobRecord> {
    for (let attempt = 1; attempt <= this.options.maxCasAttempts; attempt++) {
      const current = await this.read(id);
      if (!current) throw new C2iError(ErrorCode.NOT_FOUND, `job ${id} not found in bucket ${this.options.bucket}`);
      const { revision: _r, ...next } = change(current);
      try {
        const revision = await this.patient("update", () =>
          this.kv.update(jobKey(id), encoder.encode(JSON.stringify(next)), current.revision));
        return { ...next, revision };
      } catch (e) {
        if (!isConflict(e)) throw e;
        // Another writer won the race: re-read and apply the change to the new state.
      }
    }
    throw new C2iError(ErrorCode.INTERNAL, `job ${id}: ${this.options.maxCasAttempts} compare-and-set attempts lost to concurrent writers`);
  }

  async list(): Promise<JobRecord[]> {
    const ids = await this.keysUnder("job.>");
    const records = await Promise.all(ids.map(async (key) => {
      const entry = await this.patient("get", () => this.kv.get(key));
      return entry && entry.operation === "PUT" ? { ...(entry.json<Omit<JobRecord, "revision">>()), revision: entry.revision } : undefined;
    }));
    return records.filter((r): r is JobRecord => r !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async putShardResult(jobId: string, result: ShardResult): Promise<boolean> {
    try {
      await this.patient("create", () => this.kv.create(shardKey(jobId, result.shardId), encoder.encode(JSON.stringify(result))));
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async shardResults(jobId: string): Promise<Map<string, ShardResult>> {
    const keys = await this.keysUnder(`shard.${keyToken(jobId)}.>`);
    const results = await Promise.all(keys.sort().map(async (key) => {
      const entry = await this.patient("get", () => this.kv.get(key));
      return entry && entry.operation === "PUT" ? (JSON.parse(decoder.decode(entry.value)) as ShardResult) : undefined;
    }));
    return new Map(results.filter((r): r is ShardResult => r !== undefined).map((r) => [r.shardId, r]));
  }

  /**
   * Keys under `filter`, deleted ones included (callers skip those on read), from the bucket stream's subjects.
   * Not `kv.keys()`: its consumer waits for a last message with nothing pending, and a key written while it
   * iterates (a job the runner is updating) can keep it waiting for seconds, or until a heartbeat that a steady
   * stream of updates never lets come (ListJobs stopped answering; found by the fuzz campaign).
   */
  private keysUnder(filter: string): Promise<string[]> {
    const prefix = `$KV.${this.options.bucket}.`;
    return this.patient("keys", async () => {
      const info = await this.jsm.streams.info(`KV_${this.options.bucket}`, { subjects_filter: prefix + filter });
      return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
    });
  }

  async close(): Promise<void> {
    if (this.owned) await closeNats(this.nc);
  }
}
