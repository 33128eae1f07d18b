// Per-job caches (model, tokenizer, dataset, encodings, gradient passes), bounded by job count and idle time.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { tensorMemoryLimit } from "../compute/memory.ts";
import { gradientPlanBytes } from "../tasks/run.ts";
import type { WorkRef } from "../../common/shards.ts";
import { addLayerCacheCounts, type LayerCacheCounts, type SharedWorkCounts } from "../../common/local-agent-protocol.ts";
import { describeMemoryPlan, fitMemoryBudget, type BudgetedMemoryPlan } from "../../common/memory-plan.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import { EncodingCache } from "../tasks/encoding.ts";
import type { MatrixTransform } from "../linalg/factorizations/types.ts";
import type { Dataset } from "../tasks/dataset.ts";
import type { ResolvedExecutorOptions } from "./executor-options.ts";
import { LayerCache } from "./layer-cache.ts";
import { LoadedModel } from "./loaded-model.ts";

/** One gradient pass's results for one sample set: L and ∂L/∂W per matrix asked so far. */
export interface GradientSet {
  loss: number;
  n: number;
  grads: Map<string, Float32Array>;
}

export interface JobState {
  jobId: string;
  modelRef: string;
  datasetRef: string;
  /** The job's prompt template override (`task.template`), applied when the dataset was read. */
  template?: string;
  loaded: LoadedModel;
  dataset: Dataset;
  encoding: EncodingCache;
  /** By sample-set key (see `sampleKey`). */
  gradients: Map<string, GradientSet>;
  /** FWSVD/ASVD transforms by `factorization|sample set|matrix` (agent/work/factored.ts). */
  transforms: Map<string, MatrixTransform>;
  /** Hidden states entering each layer for the evaluation sets, from the original weights. */
  layers: LayerCache;
  /**
   * Frees caches (every job's layer cache, then other jobs) until the backend holds no more than a gradient pass
   * of this job plans for; a no-op on backends without a fixed limit. Called before each gradient pass.
   */
  reclaim: () => void;
  lastUsed: number;
}

/** Datasets are shared by jobs with the same reference and template. */
function datasetKey(ref: string, template: string | undefined): string {
  return template === undefined ? ref : `${ref}\u0000${template}`;
}

interface DatasetEntry {
  dataset: Dataset;
  jobs: Set<string>;
}

export class JobCache {
  private readonly jobs = new Map<string, JobState>();
  private readonly models = new Map<string, LoadedModel>();
  private readonly datasets = new Map<string, DatasetEntry>();
  /** Batch counts of the layer caches of dropped jobs, so the totals never go back (Prometheus counters). */
  private readonly retired = { partial: 0, full: 0 };
  /** Models no job uses now, least recently used first: kept (weights and SVD factors) for the next job on them. */
  private readonly idle = new Set<string>();
  /** The last budgeted memory plan of each loaded model (only with a budget). */
  private readonly plans = new Map<string, BudgetedMemoryPlan>();
  /** Jobs that found their model loaded (hits) or had to load it; factor lookups of disposed models. */
  private readonly counts = { modelHits: 0, modelMisses: 0, factorHits: 0, factorMisses: 0 };

  constructor(private readonly options: ResolvedExecutorOptions) {}

  /** The job's state, loading what it needs on first use; marks it used now. */
  async acquire(ref: WorkRef): Promise<JobState> {
    this.sweep(ref.jobId);
    const known = this.jobs.get(ref.jobId);
    if (known) {
      if (known.modelRef !== ref.model || known.datasetRef !== ref.dataset || known.template !== ref.task?.template) {
        throw new C2iError(
          ErrorCode.INVALID_ARGUMENT,
          `job ${ref.jobId} was started with model ${known.modelRef}, dataset ${known.datasetRef} and template ${JSON.stringify(known.template)}, but this shard names ${ref.model}, ${ref.dataset} and ${JSON.stringify(ref.task?.template)}; one job has one model, dataset and template`,
        );
      }
      known.lastUsed = this.options.now();
      this.jobs.delete(ref.jobId);
      this.jobs.set(ref.jobId, known);
      return known;
    }
    const dir = await this.options.resolveModel(ref.model);
    const plan = this.planFor(dir, ref);
    let loaded = this.models.get(dir);
    if (loaded) this.counts.modelHits++;
    else {
      this.counts.modelMisses++;
      if (plan) this.makeRoomFor(plan);
      const model = await this.options.loadModel(dir);
      try {
        const tokenizer = await this.options.loadTokenizer(dir);
        loaded = new LoadedModel(dir, model, tokenizer, this.options.svd, this.options.factorCacheBytes, this.options.fingerprint);
      } catch (e) {
        model.dispose();
        throw e;
      }
      this.models.set(dir, loaded);
    }
    const template = ref.task?.template;
    const dataKey = datasetKey(ref.dataset, template);
    let data = this.datasets.get(dataKey);
    if (!data) {
      try {
        data = { dataset: this.options.loadDataset(ref.dataset, template), jobs: new Set() };
      } catch (e) {
        if (loaded.jobs.size === 0) this.retire(dir);
        throw e;
      }
      this.datasets.set(dataKey, data);
    }
    loaded.jobs.add(ref.jobId);
    this.idle.delete(dir);
    data.jobs.add(ref.jobId);
    const job: JobState = {
      jobId: ref.jobId,
      modelRef: ref.model,
      datasetRef: ref.dataset,
      ...(template === undefined ? {} : { template }),
      loaded,
      dataset: data.dataset,
      encoding: new EncodingCache(32),
      gradients: new Map(),
      transforms: new Map(),
      layers: new LayerCache(loaded.model, plan?.layerCacheBytes ?? this.options.layerCacheBytes, this.options.logger.child({ job: ref.jobId })),
      reclaim: () => this.reclaimFor(ref.jobId),
      lastUsed: this.options.now(),
    };
    this.jobs.set(ref.jobId, job);
    if (plan) this.plans.set(dir, plan);
    this.options.logger.info({ job: ref.jobId, model: dir, dataset: ref.dataset }, "job caches created");
    return job;
  }

  /**
   * With a memory budget: the job's plan from the model's config and header (its batch size and token cap), fitted
   * to the budget; refused before anything is read when it cannot fit. Without one, undefined.
   */
  private planFor(dir: string, ref: WorkRef): BudgetedMemoryPlan | undefined {
    const budget = this.options.memoryBudgetBytes;
    if (!Number.isFinite(budget)) return undefined;
    const rows = ref.batching?.batchSize ?? this.options.batchSize;
    const planned = this.options.planMemory(dir, { rows, layerCacheBytes: this.options.layerCacheBytes, factorCacheBytes: this.options.factorCacheBytes, ...(ref.task?.maxTokens === undefined ? {} : { maxTokens: ref.task.maxTokens }) });
    const plan = fitMemoryBudget(planned, budget);
    this.options.logger.info({ job: ref.jobId, model: dir, memoryPlan: plan }, `memory plan: ${describeMemoryPlan(plan)}`);
    return plan;
  }

  /** Idle models are freed, least recently used first, while the loaded models' weights and `plan` exceed its budget. */
  private makeRoomFor(plan: BudgetedMemoryPlan): void {
    const held = () => [...this.models.values()].reduce((a, m) => a + (m.model.hostWeightBytes ?? 0) + (m.model.weightBytes ?? 0), 0);
    for (const dir of [...this.idle]) {
      if (held() + plan.totalBytes <= plan.budgetBytes) return;
      this.options.logger.info({ model: dir, for: plan.model }, "idle model freed for the memory budget");
      this.releaseModel(dir);
    }
  }

  /** Drop idle jobs and, beyond `maxJobs`, the least recently used ones (never `keep`). */
  sweep(keep?: string): void {
    const now = this.options.now();
    for (const [id, job] of this.jobs) {
      if (id !== keep && now - job.lastUsed > this.options.jobIdleMs) this.drop(id);
    }
    const limit = keep !== undefined && !this.jobs.has(keep) ? this.options.maxJobs - 1 : this.options.maxJobs;
    for (const id of [...this.jobs.keys()]) {
      if (this.jobs.size <= Math.max(0, limit)) break;
      if (id !== keep) this.drop(id);
    }
  }

  drop(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    this.jobs.delete(jobId);
    job.gradients.clear();
    job.transforms.clear();
    job.loaded.forgetJob(jobId);
    const counts = job.layers.stats();
    this.retired.partial += counts.partial;
    this.retired.full += counts.full;
    job.layers.dispose();
    job.loaded.jobs.delete(jobId);
    if (job.loaded.jobs.size === 0) this.retire(job.loaded.dir);
    const dataKey = datasetKey(job.datasetRef, job.template);
    const data = this.datasets.get(dataKey);
    if (data) {
      data.jobs.delete(jobId);
      if (data.jobs.size === 0) this.datasets.delete(dataKey);
    }
    this.options.logger.info({ job: jobId }, "job caches dropped");
    return true;
  }

  /**
   * The gradient pass plans its micro-batches from the job's model alone (agent/tasks/run.ts `gradientPlanBytes`),
   * so that every agent cuts them the same way; when the heap holds more than that plan assumes, what is held
   * for other purposes goes first, so the plan is also true.
   */
  private reclaimFor(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job || tensorMemoryLimit() === undefined) return;
    const plan = gradientPlanBytes(job.loaded.model);
    const over = () => tf.memory().numBytes > plan.heldBytes + plan.passBytes;
    if (!over()) return;
    const before = tf.memory().numBytes;
    for (const dir of [...this.idle]) if (over()) this.releaseModel(dir);
    for (const j of this.jobs.values()) j.layers.dispose();
    for (const id of [...this.jobs.keys()]) {
      if (!over()) break;
      if (id !== jobId) this.drop(id);
    }
    this.options.logger.info({ job: jobId, freedBytes: before - tf.memory().numBytes, heldBytes: tf.memory().numBytes }, "caches freed for a gradient pass");
  }

  /**
   * A model no job uses any more stays loaded, with its SVD factors, for the next job on it (a sweep's cells on
   * one model factor each matrix once); beyond `idleModels` the least recently used idle model is freed.
   */
  private retire(dir: string): void {
    this.idle.delete(dir);
    this.idle.add(dir);
    for (const old of [...this.idle]) {
      if (this.idle.size <= this.options.idleModels) break;
      this.releaseModel(old);
    }
  }

  private releaseModel(dir: string): void {
    const loaded = this.models.get(dir);
    if (!loaded) return;
    this.models.delete(dir);
    this.plans.delete(dir);
    this.idle.delete(dir);
    this.counts.factorHits += loaded.factorLookups.hits;
    this.counts.factorMisses += loaded.factorLookups.misses;
    loaded.dispose();
  }

  /** What the jobs shared: model loads and factor lookups answered from the caches (totals since start), held bytes. */
  sharedWorkStats(): SharedWorkCounts {
    const out: SharedWorkCounts = { ...this.counts, models: this.models.size, idleModels: this.idle.size, factorBytes: 0 };
    for (const m of this.models.values()) {
      out.factorHits += m.factorLookups.hits;
      out.factorMisses += m.factorLookups.misses;
      out.factorBytes += m.factorBytes;
    }
    return out;
  }

  /** Every job's layer cache summed: bytes and sets held now; batch counts since this cache was made (dropped jobs included). */
  layerCacheStats(): LayerCacheCounts {
    const out: LayerCacheCounts = { bytes: 0, sets: 0, partial: this.retired.partial, full: this.retired.full };
    for (const job of this.jobs.values()) addLayerCacheCounts(out, job.layers.stats());
    return out;
  }

  /** The budget and the plans of the loaded models; undefined without a budget. */
  memoryBudget(): MemoryBudgetReport | undefined {
    const budgetBytes = this.options.memoryBudgetBytes;
    return Number.isFinite(budgetBytes) ? { budgetBytes, plans: [...this.plans.values()] } : undefined;
  }

  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  modelDirs(): string[] {
    return [...this.models.keys()];
  }

  close(): void {
    for (const id of [...this.jobs.keys()]) this.drop(id);
    for (const dir of [...this.models.keys()]) this.releaseModel(dir);
  }
}
