// `c2i adapt`: the main job on the embedded default — coordinator, local agents, memory store and bus in one process tree.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolveDemoRefs } from "../../agent/demo/ref.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { sumLayerCache, sumSharedWork, type LayerCacheCounts, type SharedWorkCounts } from "../../common/local-agent-protocol.ts";
import { createLogger } from "../../common/log.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { resolveSpec } from "../../coordinator/plan/spec.ts";
import { strategies } from "../../coordinator/plan/strategies.ts";
import { LocalAgentPoolImpl } from "../../coordinator/pool/local.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { RemoteJobService, type ClientJobService } from "../../coordinator/grpc/remote-jobs.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import { writeOutputs } from "../../coordinator/report/outputs.ts";
import { ProgressDisplay } from "../../coordinator/report/progress.ts";
import type { Command } from "../command.ts";
import { resultVersions } from "../versions.ts";
import { DEFAULT_LAYER_CACHE_BYTES } from "../../agent/work/executor-options.ts";
import { checkpointWriter } from "./checkpoint-writer.ts";
import { describeLocalPlan, planLocalAgents, type LocalMemoryPlan } from "./local-memory.ts";
import { jobFailure, jobOptionsFrom, searchFlags, searchUsage, settingsFrom } from "./search-flags.ts";
import { BACKEND_CHOICES, memoryBudget, memoryGibWithCoordinator, oneOf, output, parseFlags, parseInteger, parseLayerCacheMib, requireString, SVD_CHOICES } from "../command.ts";
import { SIGNAL_EXIT_CODES, watchInterrupts, type StopSignal } from "../interrupt.ts";

const usage = `usage: c2i adapt --model M --dataset D [--strategy c2i|laser|both|…] [--out DIR] [--agents N] [--seed S] [--json]
  --model        checkpoint directory, hf:<org>/<name>, or "demo" (the generated demo model)   (env C2I_MODEL)
  --dataset      dataset file (.jsonl), or "demo"   (env C2I_DATASET)
  --strategy     ${Object.keys(strategies).join(" | ")} | both (c2i and laser, compared)   (default c2i)
  --out          output directory: result.json, recipe.json, report.html, model/   (default c2i-out; env C2I_OUT)
  --agents       local agents (default: one per core)   (env C2I_AGENTS)
${searchUsage}
  --compare FILE another result.json to compare against in report.html (Figure 2)
  --no-checkpoint  skip writing the adapted checkpoint (model/)
  --mode         child|worker: local agents as processes or threads (default child)
  --layer-cache-mib N  per-job bound on each local agent's layer cache (hidden states entering each layer, so an
                 edit of layer ℓ reruns layers ℓ…L only), MiB; 0 turns it off; results are identical either way
                 (default 512)   (env C2I_LAYER_CACHE_MIB)
  --memory-gib N memory the local agents may use together, GiB, each agent getting an equal share: a model's plan
                 (host and backend weights, widening scratch, a gradient pass's activations, layer cache) is printed
                 before the first phase and refused, with each part named, when it does not fit a share; the layer
                 cache gets what the rest leaves; results never depend on it (default 80% of the machine's memory,
                 or of its container's limit)   (env C2I_MEMORY_GIB)
  --backend      auto|tensorflow-gpu|tensorflow|wasm|cpu: the agents' tfjs backend (default auto)   (env C2I_BACKEND)
  --svd          auto|lapack|typescript: the agents' SVD, also used to write the checkpoint (default auto)   (env C2I_SVD)
  --cache-dir    where "demo" is generated (default ~/.cache/c2i)   (env C2I_CACHE)
  --json         print a JSON summary on stdout (progress still goes to stderr)
  --coordinator HOST:PORT  run the jobs on a cluster (\`c2i coordinator\`) instead of local agents; the agents must
                 reach --model/--dataset under their --roots   (env C2I_COORDINATOR)
  --token T      the coordinator's bearer token   (env C2I_TOKEN)
Ctrl-C (SIGINT) or SIGTERM cancels the running job, stops the local agents and exits with 130 (143 for SIGTERM)
without writing outputs; a signal while outputs are written lets them finish first; a second signal stops at once.`;

const flags = {
  coordinator: { type: "string" }, token: { type: "string" },
  model: { type: "string" }, dataset: { type: "string" }, strategy: { type: "string" }, out: { type: "string" },
  agents: { type: "string" }, compare: { type: "string" },
  "no-checkpoint": { type: "boolean" }, mode: { type: "string" }, "layer-cache-mib": { type: "string" }, "memory-gib": { type: "string" }, backend: { type: "string" }, svd: { type: "string" }, "cache-dir": { type: "string" }, json: { type: "boolean" },
  ...searchFlags,
} as const;

function readResult(file: string): ResultDocument {
  try {
    const doc = JSON.parse(readFileSync(file, "utf8")) as ResultDocument;
    if (doc.format !== "c2i.result/1") throw new Error(`format is ${JSON.stringify(doc.format)}, expected "c2i.result/1"`);
    return doc;
  } catch (e) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--compare ${file}: not a c2i result.json (${(e as Error).message})`);
  }
}

export const adaptCommand: Command = {
  name: "adapt",
  summary: "search the edit that adapts a model to a task; write checkpoint, recipe, result and report",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, flags, { model: "C2I_MODEL", dataset: "C2I_DATASET", out: "C2I_OUT", agents: "C2I_AGENTS", "cache-dir": "C2I_CACHE", backend: "C2I_BACKEND", svd: "C2I_SVD", coordinator: "C2I_COORDINATOR", token: "C2I_TOKEN", "layer-cache-mib": "C2I_LAYER_CACHE_MIB", "memory-gib": "C2I_MEMORY_GIB" });
    const json = values.json === true;
    const strategy = (values.strategy as string | undefined) ?? "c2i";
    const runs = strategy === "both" ? ["c2i", "laser"] : [strategy];
    const outDir = (values.out as string | undefined) ?? "c2i-out";
    const mode = (values.mode as string | undefined) ?? "child";
    if (mode !== "child" && mode !== "worker") throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--mode must be child or worker, got "${mode}"`);
    const backend = oneOf(values.backend, "backend", BACKEND_CHOICES, "auto");
    const svd = oneOf(values.svd, "svd", SVD_CHOICES, "auto");
    const agents = values.agents === undefined ? undefined : parseInteger(values.agents as string, "agents", 1);
    const compare = values.compare ? [readResult(values.compare as string)] : [];
    const settings = settingsFrom(values);
    const cacheDir = values["cache-dir"] as string | undefined;
    const refs = resolveDemoRefs(requireString(values, "model"), requireString(values, "dataset"), cacheDir);
    const logLevel = process.env.C2I_LOG_LEVEL ?? "warn";
    const logger = createLogger("c2i-adapt", { level: logLevel });

    // Validate every job spec before any agent starts: a typo fails in milliseconds, not after start-up.
    // Spec fields beside the settings: the prompt template, the factorization and the row clustering.
    const jobOptions = jobOptionsFrom(values);
    const specs = runs.map((name) => resolveSpec({ model: refs.model, dataset: refs.dataset, strategy: name, settings, ...jobOptions }));
    const layerCacheBytes = parseLayerCacheMib(values["layer-cache-mib"]);
    const budget = memoryBudget(values["memory-gib"]);
    // --coordinator: the same loop against a cluster (coordinator/grpc/remote-jobs.ts); else the embedded default.
    const remote = typeof values.coordinator === "string" && values.coordinator !== "" ? values.coordinator : undefined;
    if (remote && layerCacheBytes !== undefined) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, "--layer-cache-mib sets the local agents' layer cache; with --coordinator each agent has its own (`c2i agent --layer-cache-mib N`)");
    }
    if (remote && budget.given) throw memoryGibWithCoordinator();
    // Every local agent holds the model: each gets an equal share of the budget.
    const agentCount = agents ?? availableParallelism();
    const shareBytes = Math.floor(budget.bytes / agentCount);
    const display = new ProgressDisplay(process.stderr);
    let pool: LocalAgentPoolImpl | undefined;
    let service: ClientJobService | undefined;
    let current: string | undefined;
    // Installed before the agents start, so a signal during start-up is a clean stop too.
    const interrupt = watchInterrupts("c2i adapt", {
      onFirst: () => void (current && service?.cancel(current).catch((e) => logger.warn({ err: e, job: current }, "cancel failed"))),
      onSecond: () => pool?.kill(),
    });
    try {
      const store = new MemoryJobStoreImpl();
      const bus = new MemoryEventBusImpl({ logger });
      const results: ResultDocument[] = [];
      let cancelled: Cancelled | undefined;
      let layerCache: LayerCacheCounts | undefined;
      let sharedWork: SharedWorkCounts | undefined;
      let memoryPlan: LocalMemoryPlan | undefined;
      try {
        pool = remote ? undefined : await LocalAgentPoolImpl.start({
          agents: agentCount, mode, logger,
          agent: { logLevel, backend, svd, layerCacheBytes, memoryBudgetBytes: shareBytes },
        });
        // Said before the first phase; a plan that cannot fit an agent's share ends here (exit 2), not in an abort.
        if (pool && !interrupt.received()) {
          memoryPlan = planLocalAgents(refs.model, await pool.describeAgents(), {
            budget, shareBytes, layerCacheBytes: layerCacheBytes ?? DEFAULT_LAYER_CACHE_BYTES,
            rows: Math.max(...specs.map((s) => s.settings.batchSize)),
            ...(specs[0]!.task?.maxTokens === undefined ? {} : { maxTokens: specs[0]!.task.maxTokens }),
          });
          if (memoryPlan) process.stderr.write(`c2i adapt: ${describeLocalPlan(memoryPlan)}\n`);
        }
        service = remote
          ? new RemoteJobService(new CoordinatorClient(remote, { token: typeof values.token === "string" ? values.token : undefined }))
          : new JobServiceImpl({ store, bus, pool: pool!, logger, versions: resultVersions() });
        for (const name of runs) {
          if (interrupt.received()) break;
          const job = await service.submit({ model: refs.model, dataset: refs.dataset, strategy: name, settings, ...jobOptions });
          current = job.id;
          // A signal that came while the job was being submitted had no job to cancel yet.
          if (interrupt.received()) await service.cancel(job.id);
          const sub = service.watch(job.id, (event, data) => display.onEvent(name, event, data));
          const done = await service.wait(job.id);
          current = undefined;
          sub.unsubscribe();
          display.end();
          if (done.state === "cancelled" && interrupt.received()) {
            cancelled = { id: done.id, strategy: name, state: done.state, ...(done.phase ? { phase: done.phase } : {}) };
            break;
          }
          // The record keeps "CODE: message"; surface the original code (e.g. DATASET_INVALID) to the user.
          if (done.state !== "succeeded") throw jobFailure(`${name} job`, done);
          results.push(done.result as unknown as ResultDocument);
        }
        if (pool && !interrupt.received()) {
          const described = await pool.describeAgents();
          layerCache = sumLayerCache(described);
          sharedWork = sumSharedWork(described);
        }
      } finally {
        await service?.close();
        await pool?.close();
        await bus.close();
        await store.close();
      }
      const early = interrupt.received();
      if (early) return stopEarly(early, json, outDir, cancelled, results.length);
      const writeCheckpoint = checkpointWriter(refs.model, svd, logger);
      for (const w of new Set(results.flatMap((r) => r.warnings ?? []))) process.stderr.write(`c2i adapt: warning: ${w}\n`);
      const written = await writeOutputs(outDir, results, { compare, ...(values["no-checkpoint"] === true ? {} : { writeCheckpoint }) });
      const summary = results.map((r) => ({
        strategy: r.strategy, edit: r.chosen.candidate, keptRanks: r.chosen.keptRanks ?? null,
        baseline: r.baseline, chosen: { selection: r.chosen.selection, test: r.chosen.test }, seconds: r.totalMs / 1000, candidates: r.candidates.length,
      }));
      output(json, { out: outDir, files: written, results: summary, ...(layerCache ? { layerCache } : {}), ...(sharedWork ? { sharedWork } : {}), ...(memoryPlan ? { memoryPlan } : {}) }, () => [...results.map(describe), `wrote ${written.join(", ")}`].join("\n"));
      const late = interrupt.received();
      if (late) {
        process.stderr.write(`c2i adapt: ${late} arrived while the outputs were written; they were completed first (${outDir})\n`);
        return SIGNAL_EXIT_CODES[late];
      }
      return 0;
    } finally {
      interrupt.dispose();
    }
  },
};

/** The job a signal cancelled, as its record ended. */
interface Cancelled {
  id: string;
  strategy: string;
  state: string;
  phase?: string;
}

/** After a signal during the search: one line on stderr (and the record on stdout for --json); nothing is written to --out. */
function stopEarly(signal: StopSignal, json: boolean, outDir: string, job: Cancelled | undefined, finished: number): number {
  const what = job
    ? `${job.strategy} job ${job.id} ${job.state}${job.phase ? ` in phase ${job.phase}` : ""}`
    : finished > 0 ? "stopped before the outputs were written" : "stopped before a job started";
  const kept = finished > 0 ? ` (${finished} finished job${finished > 1 ? "s" : ""} not written either)` : "";
  if (json) process.stdout.write(JSON.stringify({ interrupted: signal, exitCode: SIGNAL_EXIT_CODES[signal], job: job ?? null, out: outDir, files: [] }, null, 2) + "\n");
  process.stderr.write(`c2i adapt: interrupted by ${signal}: ${what}; local agents stopped; nothing written to ${outDir}${kept}\n`);
  return SIGNAL_EXIT_CODES[signal];
}

/** The agents' layer caches summed (agents that do not report one are left out). */
function describe(r: ResultDocument): string {
  const p = (x: number) => `${(100 * x).toFixed(1)}%`;
  const head = r.chosen.candidate
    ? `${r.strategy}: prune ${r.chosen.candidate.matrix} K=${r.chosen.candidate.blocks} rate ${r.chosen.candidate.rate} (kept ranks ${(r.chosen.keptRanks ?? []).join(",")}` +
      `${r.recipe.factorization !== "svd" ? `, ${r.recipe.factorization}` : ""}${r.recipe.edits[0]?.clustering === "ksubspaces" ? ", K-subspaces" : ""})`
    : `${r.strategy}: no edit (nothing beat the unmodified model on the ${r.sets.selection.name} set)`;
  return `${head}\n  test accuracy ${p(r.baseline.test.accuracy)} → ${p(r.chosen.test.accuracy)} (${r.sets.test.n} samples), ` +
    `${r.sets.selection.name} ${p(r.baseline.selection.accuracy)} → ${p(r.chosen.selection.accuracy)}; ${r.candidates.length} candidates in ${(r.totalMs / 1000).toFixed(1)} s`;
}
