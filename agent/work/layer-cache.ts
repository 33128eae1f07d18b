// Hidden states entering each layer for a job's evaluation batches, so an edit of layer ℓ reruns layers ℓ…L only (issue 10 item 2).
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { LayerCacheCounts } from "../../common/local-agent-protocol.ts";
import type { Logger } from "../../common/log.ts";
import type { LanguageModel } from "../models/types.ts";
import type { EncodedBatch } from "../tasks/batch.ts";
import type { TaskRunOptions } from "../tasks/run.ts";
import { chooseLayers } from "./layer-cache-plan.ts";

/** One encoded task (a chunk of a sample set) to keep states for, under a key from `taskKey`. */
export interface CachedTask {
  key: string;
  batches: readonly EncodedBatch[];
}

interface BatchStates {
  /** Copy of the token ids the states belong to: a re-encoded batch is checked against it before use. */
  ids: Int32Array;
  batch: number;
  length: number;
  /** Layer index → hidden state entering that layer ([batch, length, hidden]), computed from the original weights. */
  states: Map<number, tf.Tensor3D>;
}

interface TaskEntry {
  set: string;
  batches: BatchStates[];
  bytes: number;
}

/** Same rows in the same order with the same task options and batch size = the same encoded batches. */
export function taskKey(indices: readonly number[], run: TaskRunOptions): string {
  const h = createHash("sha256").update(indices.join(",")).digest("hex").slice(0, 24);
  return `${h}|${run.batchSize ?? ""}|${run.maxTokens ?? ""}|${run.lengthNormalise ? 1 : 0}|${run.choiceEncoding ?? ""}`;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Per job. `warm` runs the unedited model once over a sample set's batches and keeps the hidden states
 * entering the layers `chooseLayers` picks within `maxBytes` (all of 1…L−1 when they fit; fewer, evenly
 * spaced, when not; none when not even one layer fits — never more than the bound). An evaluation whose
 * edit touches layer ℓ then starts from the deepest kept layer j ≤ ℓ: layers before ℓ see unedited inputs,
 * so their outputs equal the cached ones, and layers j…L−1 run with the same kernels on the same inputs as
 * the full forward. Only valid while the model's weights are the originals outside of edits (the executor's
 * `withEdit` guarantees it).
 */
export class LayerCache {
  private readonly tasks = new Map<string, TaskEntry>();
  /** Warmed sets, least recently used first. */
  private readonly sets = new Map<string, string[]>();
  private held = 0;
  private partial = 0;
  private full = 0;

  constructor(
    private readonly model: LanguageModel,
    /** Bound on the bytes of hidden states kept; 0 disables the cache. */
    private readonly maxBytes: number,
    private readonly logger?: Logger,
  ) {
    if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `layerCacheBytes must be a finite number ≥ 0 (0 turns the layer cache off), got ${maxBytes}`);
    }
  }

  /** Whether the model offers the layer-wise forward (`hiddenStates` + `logitsFromLayer`) and the bound allows any state. */
  get enabled(): boolean {
    return this.maxBytes > 0 && typeof this.model.hiddenStates === "function" && typeof this.model.logitsFromLayer === "function";
  }

  /** True when every task of the set holds states. */
  has(set: string, keys: readonly string[]): boolean {
    return this.sets.has(set) && keys.every((k) => this.tasks.has(k));
  }

  /**
   * Compute and keep states for every batch of `tasks` (call it with the unedited model only). Older sets are
   * dropped, least recently used first, when the new one would not fit whole.
   */
  warm(set: string, tasks: readonly CachedTask[]): void {
    if (!this.enabled) return;
    if (this.has(set, tasks.map((t) => t.key))) {
      this.touch(set);
      return;
    }
    this.dropSet(set);
    const L = this.model.config.numLayers;
    const perLayer = tasks.reduce((n, t) => n + t.batches.reduce((m, b) => m + b.tokens.batch * b.tokens.length * this.model.config.hiddenSize * 4, 0), 0);
    const wanted = perLayer * Math.max(0, L - 1);
    for (const old of [...this.sets.keys()]) {
      if (this.held + wanted <= this.maxBytes) break;
      this.dropSet(old);
    }
    const layers = chooseLayers(L, perLayer === 0 ? 0 : Math.floor((this.maxBytes - this.held) / perLayer));
    this.logger?.debug({ set, layers, perLayerBytes: perLayer, heldBytes: this.held }, "layer cache warmed");
    if (layers.length === 0) return;
    const keep = new Set(layers);
    const keys: string[] = [];
    for (const task of tasks) {
      if (this.tasks.has(task.key)) this.dropTask(task.key);
      const entry: TaskEntry = { set, batches: [], bytes: 0 };
      for (const b of task.batches) {
        const all = this.model.hiddenStates!(b.tokens);
        const states = new Map<number, tf.Tensor3D>();
        all.forEach((h, layer) => {
          if (keep.has(layer)) {
            states.set(layer, h);
            entry.bytes += h.size * 4;
          } else h.dispose();
        });
        entry.batches.push({ ids: Int32Array.from(b.tokens.ids), batch: b.tokens.batch, length: b.tokens.length, states });
      }
      this.tasks.set(task.key, entry);
      this.held += entry.bytes;
      keys.push(task.key);
    }
    this.sets.set(set, keys);
  }

  /**
   * The logits hook (`TaskRunOptions.logits`) of one task for an evaluation whose edit is in layer `from`
   * (`numLayers` for the unedited model); undefined when nothing is cached for the task.
   */
  logitsHook(key: string, from: number): ((batch: EncodedBatch, index: number) => tf.Tensor2D) | undefined {
    const entry = this.tasks.get(key);
    if (!entry) return undefined;
    this.touch(entry.set);
    return (batch, index) => {
      const cached = entry.batches[index];
      let start = 0;
      let hidden: tf.Tensor3D | undefined;
      if (cached && cached.batch === batch.tokens.batch && cached.length === batch.tokens.length && sameIds(cached.ids, batch.tokens.ids)) {
        for (const [layer, h] of cached.states) {
          if (layer <= from && layer > start) {
            start = layer;
            hidden = h;
          }
        }
      }
      if (hidden === undefined) {
        this.full++;
        return this.model.logitsAt(batch.tokens, batch.positions);
      }
      this.partial++;
      return this.model.logitsFromLayer!(batch.tokens, start, hidden, batch.positions);
    };
  }

  /** Layers kept for a set (empty when it is not cached). */
  layersOf(set: string): number[] {
    const first = this.sets.get(set)?.[0];
    const entry = first === undefined ? undefined : this.tasks.get(first);
    return entry?.batches[0] ? [...entry.batches[0].states.keys()].sort((a, b) => a - b) : [];
  }

  stats(): LayerCacheCounts {
    return { bytes: this.held, sets: this.sets.size, partial: this.partial, full: this.full };
  }

  /** Frees every cached tensor; the cache stays usable (empty). */
  dispose(): void {
    for (const set of [...this.sets.keys()]) this.dropSet(set);
    for (const key of [...this.tasks.keys()]) this.dropTask(key);
  }

  private touch(set: string): void {
    const keys = this.sets.get(set);
    if (!keys) return;
    this.sets.delete(set);
    this.sets.set(set, keys);
  }

  private dropSet(set: string): void {
    const keys = this.sets.get(set);
    if (!keys) return;
    this.sets.delete(set);
    for (const k of keys) if (this.tasks.get(k)?.set === set) this.dropTask(k);
  }

  private dropTask(key: string): void {
    const entry = this.tasks.get(key);
    if (!entry) return;
    this.tasks.delete(key);
    this.held -= entry.bytes;
    for (const b of entry.batches) for (const h of b.states.values()) h.dispose();
  }
}
