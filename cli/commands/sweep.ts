// `c2i sweep`: a models × datasets grid (or a sweep file), one job per cell, run concurrently on the embedded default
// or a coordinator; each cell's outputs as `c2i adapt` writes them, then sweep.json and sweep.html; resumable.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { resolveDemoRefs } from "../../agent/demo/ref.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { createLogger } from "../../common/log.ts";
import { sumSharedWork, type SharedWorkCounts } from "../../common/local-agent-protocol.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { RemoteJobService, type ClientJobService } from "../../coordinator/grpc/remote-jobs.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import { resolveSpec } from "../../coordinator/plan/spec.ts";
import { LocalAgentPoolImpl } from "../../coordinator/pool/local.ts";
import { writeAtomic, writeOutputs } from "../../coordinator/report/outputs.ts";
import { renderSweep } from "../../coordinator/report/sweep-html.ts";
import { pct as p } from "../../coordinator/report/svg.ts";
import { SweepProgress } from "../../coordinator/report/sweep-progress.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import { SweepRunner } from "../../coordinator/sweep/run.ts";
import { parseSweepFile, planSweep, type SweepCell, type SweepInput } from "../../coordinator/sweep/spec.ts";
import type { SweepSummary } from "../../coordinator/sweep/summary.ts";
import type { Command } from "../command.ts";
import { BACKEND_CHOICES, memoryBudget, memoryGibWithCoordinator, oneOf, output, parseFlags, parseInteger, parseLayerCacheMib, SVD_CHOICES } from "../command.ts";
import { SIGNAL_EXIT_CODES, watchInterrupts } from "../interrupt.ts";
import { resultVersions } from "../versions.ts";
import { checkpointWriter } from "./checkpoint-writer.ts";
import { jobOptionsFrom, searchFlags, searchUsage, settingsFrom } from "./search-flags.ts";

const usage = `usage: c2i sweep (--models A,B --datasets X,Y | --file sweep.yaml) [--out DIR] [--strategy S] [--agents N] [--json]
  --models A,B     model references as \`c2i adapt --model\` takes them (directories, hf:org/name, demo)
  --datasets X,Y   dataset references as \`c2i adapt --dataset\` takes them; one cell per (model, dataset)
  --file F         a sweep file (YAML or JSON): {defaults: {…}, models: […], datasets: […], cells: [{name, model, dataset,
                   strategy, settings: {…}, task: {template}, factorization, clustering}]}; flags below are the defaults
                   the file's own defaults and cells override
  --out DIR        the sweep folder: DIR/<cell>/{result.json, recipe.json, report.html}, DIR/sweep.json, DIR/sweep.html
                   (default c2i-sweep)
  --strategy S     c2i | laser | grads-std-eval | 100-eval | laser-100g-100e for every cell (default c2i)
${searchUsage}
  --checkpoints    also write each cell's adapted checkpoint (DIR/<cell>/model/); \`c2i apply\` rebuilds it from recipe.json
  --agents N, --mode child|worker, --layer-cache-mib N, --memory-gib N, --backend B, --svd S, --cache-dir DIR
                   local agents, as for adapt (the memory budget is shared by the local agents; each refuses a
                   cell's model whose plan does not fit its share, and that cell fails)
  --coordinator HOST:PORT, --token T   run the cells on a cluster (\`c2i coordinator\`) instead
  --json           print sweep.json on stdout (progress still goes to stderr)
Every cell runs as its own job, all at once (the scheduler shares agents fairly between jobs). A rerun with the same
--out keeps finished cells (same spec) and follows jobs a coordinator still runs. Ctrl-C cancels the running cells
and exits 130 (143 for SIGTERM); finished cells stay. Exit 2 when a cell failed (sweep.json says why).`;

const flags = {
  models: { type: "string" }, datasets: { type: "string" }, file: { type: "string" }, out: { type: "string" }, strategy: { type: "string" },
  checkpoints: { type: "boolean" }, agents: { type: "string" }, mode: { type: "string" }, "layer-cache-mib": { type: "string" }, "memory-gib": { type: "string" },
  backend: { type: "string" }, svd: { type: "string" }, "cache-dir": { type: "string" }, coordinator: { type: "string" }, token: { type: "string" },
  json: { type: "boolean" }, ...searchFlags,
} as const;

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

const list = (v: unknown) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);

/** The cells from --file and/or --models/--datasets, with the command line's settings as defaults. */
function cellsFrom(v: Values, cacheDir: string | undefined): SweepCell[] {
  const file = typeof v.file === "string" ? v.file : undefined;
  let input: SweepInput = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new C2iError(ErrorCode.NOT_FOUND, `--file ${file}: ${(e as Error).message}`, { cause: e });
    }
    input = parseSweepFile(text, file);
  }
  const [models, datasets] = [list(v.models), list(v.datasets)];
  if (models || datasets) {
    if (!models || !datasets) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "--models and --datasets go together (one cell per pair)");
    if (input.models) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--models/--datasets and ${file}'s models/datasets: give the grid once`);
    input = { ...input, models, datasets };
  }
  if (!file && !models) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "give --models and --datasets, or --file");
  const strategy = typeof v.strategy === "string" ? v.strategy : undefined;
  if (strategy === "both") throw new C2iError(ErrorCode.INVALID_ARGUMENT, "--strategy both is for adapt; in a sweep, list a c2i and a laser cell instead");
  const settings = settingsFrom(v);
  const fromFlags = { ...(strategy ? { strategy } : {}), ...(Object.keys(settings).length > 0 ? { settings } : {}), ...jobOptionsFrom(v) };
  // "demo" becomes the generated files here, after the cells got their names from what the user wrote.
  return planSweep(input, fromFlags, file ?? "sweep").map((cell) => {
    const refs = resolveDemoRefs(cell.input.model, cell.input.dataset, cacheDir);
    const input = { ...cell.input, ...refs };
    return { name: cell.name, input, spec: resolveSpec(input) };
  });
}

export const sweepCommand: Command = {
  name: "sweep",
  summary: "adapt many models × datasets at once; one comparison page (sweep.html) and every cell's outputs",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, flags, { out: "C2I_OUT", agents: "C2I_AGENTS", "cache-dir": "C2I_CACHE", backend: "C2I_BACKEND", svd: "C2I_SVD", coordinator: "C2I_COORDINATOR", token: "C2I_TOKEN", "layer-cache-mib": "C2I_LAYER_CACHE_MIB", "memory-gib": "C2I_MEMORY_GIB" });
    const json = values.json === true;
    const out = (values.out as string | undefined) ?? "c2i-sweep";
    const mode = oneOf(values.mode, "mode", ["child", "worker"] as const, "child");
    const backend = oneOf(values.backend, "backend", BACKEND_CHOICES, "auto");
    const svd = oneOf(values.svd, "svd", SVD_CHOICES, "auto");
    const agents = values.agents === undefined ? undefined : parseInteger(values.agents as string, "agents", 1);
    const layerCacheBytes = parseLayerCacheMib(values["layer-cache-mib"]);
    const budget = memoryBudget(values["memory-gib"]);
    const remote = typeof values.coordinator === "string" && values.coordinator !== "" ? values.coordinator : undefined;
    if (remote && budget.given) throw memoryGibWithCoordinator();
    const agentCount = agents ?? availableParallelism();
    const memoryBudgetBytes = Math.floor(budget.bytes / agentCount);
    const logLevel = process.env.C2I_LOG_LEVEL ?? "warn";
    const logger = createLogger("c2i-sweep", { level: logLevel });
    // Every cell is validated before any agent starts.
    const cells = cellsFrom(values, values["cache-dir"] as string | undefined);

    const stop = new AbortController();
    let pool: LocalAgentPoolImpl | undefined;
    const interrupt = watchInterrupts("c2i sweep", { onFirst: () => stop.abort(), onSecond: () => pool?.kill() });
    const store = new MemoryJobStoreImpl();
    const bus = new MemoryEventBusImpl({ logger });
    let service: ClientJobService | undefined;
    let summary: SweepSummary;
    let sharedWork: SharedWorkCounts | undefined;
    const progress = new SweepProgress(process.stderr, cells.map((c) => c.name));
    try {
      const openService = async (): Promise<ClientJobService> => {
        pool = remote ? undefined : await LocalAgentPoolImpl.start({ agents: agentCount, mode, logger, agent: { logLevel, backend, svd, layerCacheBytes, memoryBudgetBytes } });
        service = remote
          ? new RemoteJobService(new CoordinatorClient(remote, { token: typeof values.token === "string" ? values.token : undefined }))
          : new JobServiceImpl({ store, bus, pool: pool!, logger, versions: resultVersions() });
        return service;
      };
      const runner = new SweepRunner({
        openService, out, cells, logger, signal: stop.signal,
        writeCell: async (cell, dir, result) => {
          await writeOutputs(dir, [result], values.checkpoints === true ? { writeCheckpoint: checkpointWriter(cell.input.model, svd, logger) } : {});
        },
        onEvent: (cell, event, data) => progress.onEvent(cell, event, data),
        onCell: (o) => progress.onCell(o),
      });
      summary = await runner.run();
      if (pool && !interrupt.received()) sharedWork = sumSharedWork(await pool.describeAgents());
    } finally {
      progress.end();
      await service?.close();
      await pool?.close();
      await bus.close();
      await store.close();
      interrupt.dispose();
    }
    const signal = interrupt.received();
    if (signal) {
      const pending = summary.cells.filter((c) => c.state === "pending").length;
      process.stderr.write(`c2i sweep: interrupted by ${signal}: ${pending} cell${pending === 1 ? "" : "s"} cancelled; ${summary.states.succeeded} finished cells kept in ${out}; rerun the same command to resume\n`);
      if (json) process.stdout.write(JSON.stringify({ interrupted: signal, exitCode: SIGNAL_EXIT_CODES[signal], ...summary }, null, 2) + "\n");
      return SIGNAL_EXIT_CODES[signal];
    }
    writeSweepFiles(out, summary);
    // The local agents' shared work (model loads, SVD factor lookups) goes to --json beside sweep.json's content.
    output(json, sharedWork ? { ...summary, sharedWork } : summary, () => describeSweep(out, summary));
    return summary.states.failed + summary.states.cancelled > 0 ? 2 : 0;
  },
};

function writeSweepFiles(out: string, summary: SweepSummary): void {
  writeAtomic(join(out, "sweep.json"), JSON.stringify(summary, null, 2) + "\n");
  writeAtomic(join(out, "sweep.html"), renderSweep(summary));
}

function describeSweep(out: string, s: SweepSummary): string {
  const lines = s.cells.map((c) => {
    if (c.state !== "succeeded") return `  ${c.name}: ${c.state}${c.error ? ` (${c.error})` : ""}`;
    const edit = c.edit ? `${c.edit.kind} layer ${c.edit.layer} K=${c.edit.blocks} ρ=${c.edit.rate}` : "no edit";
    return `  ${c.name}: ${edit}; test ${p(c.baseline!.test)} → ${p(c.chosen!.test)}${c.reused ? " (earlier run)" : ""}`;
  });
  return [`${s.cells.length} cells: ${s.states.succeeded} succeeded, ${s.states.failed} failed`, ...lines, `wrote ${join(out, "sweep.json")}, ${join(out, "sweep.html")}`].join("\n");
}
