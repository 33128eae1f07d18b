// Independent SVDs (blocks, matrices) on worker threads, one per core by default, inputs shared not copied.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { C2iError } from "../../common/errors.ts";
import { type Logger, silentLogger } from "../../common/log.ts";
import { type BlockFactors, blockRanges } from "./blocks.ts";
import type { Matrix } from "./matrix.ts";
import type { SvdName, SvdPreference, SvdResult } from "./svd/types.ts";
import type { WorkerReply, WorkerTask } from "./svd-worker-protocol.ts";

export interface SvdWorkersOptions {
  /**
   * Worker threads. With LAPACK, each call may also start OpenBLAS threads: on a machine this
   * small, OPENBLAS_NUM_THREADS=1 (set by the process's launcher) avoids oversubscription
   * (bench/svd/latest.md). @default os.availableParallelism()
   */
  threads?: number;
  /** SVD implementation inside each worker (each selects once, like selectSvd). @default "auto" */
  prefer?: SvdPreference;
  /** @default a silent logger */
  logger?: Logger;
}

interface Pending {
  task: WorkerTask;
  resolve: (r: SvdResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

/**
 * A fixed pool of SVD worker threads. Matrices already in a SharedArrayBuffer are read in place;
 * others are copied once into shared memory. Factors come back by transfer (no copy). Results are
 * bit-identical to the serial path with the same implementation: each task is one whole SVD.
 */
export class SvdWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly ready: Promise<SvdName[]>;
  private nextId = 1;
  private closed = false;
  private readonly logger: Logger;

  constructor(options: SvdWorkersOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new C2iError("INVALID_ARGUMENT", `SvdWorkers: threads = ${threads} must be a positive integer`);
    }
    this.logger = options.logger ?? silentLogger();
    const url = new URL("./svd-worker.mjs", import.meta.url);
    const readies: Promise<SvdName>[] = [];
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(url, { workerData: { prefer: options.prefer ?? "auto" } });
      const slot: Slot = { worker, busy: undefined };
      readies.push(
        new Promise<SvdName>((resolve, reject) => {
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new C2iError("INTERNAL", `SVD worker thread exited (code ${code}) before it was ready`)));
          worker.on("message", (msg: WorkerReply) => {
            if (msg.type === "ready") resolve(msg.name);
            else this.onReply(slot, msg);
          });
        }),
      );
      worker.on("error", (e) => this.onCrash(slot, e));
      worker.on("exit", (code) => this.onExit(slot, code));
      this.slots.push(slot);
    }
    this.ready = Promise.all(readies);
    this.ready.then(
      (names) => this.logger.info({ threads, svd: names[0] }, `SVD workers: ${threads} threads using ${names[0]}`),
      () => undefined,
    );
  }

  /** The implementation the workers chose (they all choose the same on one machine). */
  async implementation(): Promise<SvdName> {
    return (await this.ready)[0];
  }

  /** Economy SVDs of independent matrices, in input order. */
  async decomposeMany(mats: Matrix[]): Promise<SvdResult[]> {
    this.assertOpen();
    await this.ready;
    return Promise.all(mats.map((m) => this.submit(shared(m), m.rows, m.cols)));
  }

  /** factorBlocks for many (matrix, K) pairs at once: every block of every matrix is one task. */
  async factorBlocksMany(items: { w: Matrix; blocks: number }[]): Promise<BlockFactors[]> {
    this.assertOpen();
    await this.ready;
    const sharedByMatrix = new Map<Matrix, { buffer: SharedArrayBuffer; byteOffset: number }>();
    return Promise.all(
      items.map(async ({ w, blocks }) => {
        let sh = sharedByMatrix.get(w);
        if (!sh) {
          sh = shared(w);
          sharedByMatrix.set(w, sh);
        }
        const { buffer, byteOffset } = sh;
        const parts = await Promise.all(
          blockRanges(w.rows, blocks).map(async ({ start, end }) => ({
            start,
            end,
            svd: await this.submit({ buffer, byteOffset: byteOffset + start * w.cols * 8 }, end - start, w.cols),
          })),
        );
        return { blocks, rows: w.rows, cols: w.cols, parts };
      }),
    );
  }

  /** Stops every worker; pending work is rejected. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new C2iError("INVALID_ARGUMENT", "SvdWorkers was closed with work pending");
    for (const p of this.queue.splice(0)) p.reject(err);
    for (const s of this.slots) s.busy?.reject(err);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private assertOpen(): void {
    if (this.closed) throw new C2iError("INVALID_ARGUMENT", "SvdWorkers is closed; create a new pool");
  }

  private submit(src: { buffer: SharedArrayBuffer; byteOffset: number }, rows: number, cols: number): Promise<SvdResult> {
    if (this.closed) return Promise.reject(new C2iError("INVALID_ARGUMENT", "SvdWorkers is closed; create a new pool"));
    return new Promise((resolve, reject) => {
      const task: WorkerTask = { id: this.nextId++, buffer: src.buffer, byteOffset: src.byteOffset, rows, cols };
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const p = this.queue.shift() as Pending;
      slot.busy = p;
      slot.worker.postMessage(p.task);
    }
  }

  private onReply(slot: Slot, msg: Exclude<WorkerReply, { type: "ready" }>): void {
    const p = slot.busy;
    slot.busy = undefined;
    if (p && p.task.id === msg.id) {
      if (msg.type === "result") {
        const { rows, cols } = p.task;
        const r = msg.s.length;
        p.resolve({ u: { rows, cols: r, data: msg.u }, s: msg.s, vt: { rows: r, cols, data: msg.vt } });
      } else {
        p.reject(new C2iError(msg.code, `SVD worker: ${msg.message}`));
      }
    }
    this.pump();
  }

  /** A worker that exits on its own is dropped; when none is left, queued work fails rather than hangs. */
  private onExit(slot: Slot, code: number): void {
    if (this.closed) return;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const err = new C2iError("INTERNAL", `SVD worker thread exited with code ${code}`);
    slot.busy?.reject(err);
    slot.busy = undefined;
    if (this.slots.length === 0) for (const p of this.queue.splice(0)) p.reject(err);
    else this.pump();
  }

  private onCrash(slot: Slot, e: Error): void {
    const p = slot.busy;
    slot.busy = undefined;
    p?.reject(new C2iError("INTERNAL", `SVD worker thread crashed: ${e.message}`, { cause: e }));
  }
}

/** The matrix's doubles in shared memory: in place when they already are, else one copy. */
function shared(m: Matrix): { buffer: SharedArrayBuffer; byteOffset: number } {
  if (m.data.buffer instanceof SharedArrayBuffer) return { buffer: m.data.buffer, byteOffset: m.data.byteOffset };
  const buffer = new SharedArrayBuffer(m.data.length * 8);
  new Float64Array(buffer).set(m.data);
  return { buffer, byteOffset: 0 };
}
