// bench/laser/latest.md from the shapes' records: the setup, one table per shape, and a Reading left for the lead.
import { peaksText } from "../scale/report.ts";
import type { Comparison } from "./compare.ts";
import type { LaserGrid } from "./grid.ts";
import { TokenizerKind, type PreparedModel } from "./model.ts";
import type { AdaptRun } from "./runs.ts";

/** The paper's average speed-up of CL-100G-100E over LASER on GPT-J (METHOD.md, "Headline numbers"). */
export const PAPER_SPEEDUP_GPTJ = 52.0;

export interface ShapeRecord {
  shape: string;
  label: string;
  modelType: string;
  layers: number;
  parameters: number;
  dtype: string;
  /** The last commit that changed product code when the run started. */
  engine: string;
  dataset: string;
  /** Local agents of both runs. */
  agents: number;
  /** The bench's own arguments, for the rerun line. */
  benchArgs: string[];
  tokenizer: Omit<PreparedModel, "dir">;
  grid: LaserGrid;
  c2iCandidates: number;
  sample: { layers: number[]; kind: string; rate: number };
  c2i: AdaptRun;
  laser: AdaptRun;
  comparison: Comparison;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");

/** 12.3 s; 1,234 s (20.6 min); 45,678 s (12.7 h). */
export function duration(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  return s < 7200 ? `${n0(s)} s (${(s / 60).toFixed(1)} min)` : `${n0(s)} s (${(s / 3600).toFixed(1)} h)`;
}

function outcome(r: AdaptRun): string {
  if (r.status === "completed") return `completed in ${duration(r.wallS)} (CLI wall: agents' start, the job, result.json)`;
  if (r.status === "stopped") return `**stopped after ${r.stoppedAfterMin!.toFixed(0)} min**`;
  return `**${r.status}** after ${duration(r.wallS)} (exit ${r.exitCode}): ${r.message ?? ""}`;
}

const phasesText = (r: AdaptRun) => r.phases?.map((p) => `${p.name} ${duration(p.ms / 1000)} (${p.shards} shard${p.shards === 1 ? "" : "s"})`).join("; ") ?? "—";

function tokensText(t: ShapeRecord["tokenizer"]): string {
  const counts = `mean ${t.tokens.mean.toFixed(1)} tokens per prompt (max ${t.tokens.max})`;
  if (t.tokenizer === TokenizerKind.gpt2Bpe) return `GPT-2's BPE (real): ${counts}`;
  const bpe = t.bpeTokens ? `; GPT-2's BPE on the same prompts: mean ${t.bpeTokens.mean.toFixed(1)}` : "";
  return `word-level stand-in of exactly the config's vocabulary, BOS in front: ${counts}, ${t.tokens.unknown} unknown${bpe}. The real tokenizer is not available offline, so token counts (and with them every cost) approximate its own`;
}

function splitsText(r: ShapeRecord): string {
  const sets = (run: AdaptRun) => (run.sets ? `${run.sets.selection.name} ${n0(run.sets.selection.n)}, test ${n0(run.sets.test.n)}` : "—");
  const rows = r.c2i.rows ?? r.laser.rows;
  return `${rows === undefined ? "?" : n0(rows)} rows; c2i: ${sets(r.c2i)}; LASER: ${sets(r.laser)} (validation: the first 20% of the rows, unshuffled)`;
}

function layerCacheText(r: AdaptRun): string {
  if (!r.layerCache) return "—";
  if (r.layerCache.partial === 0) return "not used (every batch a full forward)";
  return `${r.layerCache.partial} batches from a cached layer, ${r.layerCache.full} full`;
}

const runConditions = (r: AdaptRun) => `${r.sgemm.map((x) => x.toFixed(0)).join(" / ")}, load ${r.load.map((x) => x.toFixed(1)).join(" / ")}`;

function laserRows(r: ShapeRecord): string[] {
  const x = r.comparison.laser;
  const g = r.grid;
  const grid = `| LASER grid | ${g.layers} layers × ${g.perLayer} matrices × ${g.rates} rates = ${n0(g.candidates)} candidates |`;
  if (!x) return [grid, `| LASER search | — (sample ${r.laser.status}) |`];
  const validation = n0(r.laser.sets?.selection.n ?? 0);
  return [
    `| LASER per candidate | ${duration(x.perCandidateS)} of one agent: the matrix's SVD and one full forward over the ${validation} validation rows |`,
    grid,
    `| LASER search, **extrapolated from ${x.sampledCandidates} sampled candidates** | prepare + baseline ${duration(x.searchS - x.evaluateS)} (measured) + ${n0(g.candidates)} × ${duration(x.perCandidateS)} ÷ ${r.agents} agents = **${duration(x.searchS)}** |`,
    `| LASER search, modelled variants | every layer's input cached: ${duration(x.cachedSearchS)}; every row evaluated for every candidate, as LASER's code does (× ${(1 / r.tokenizer.tokens.validationShare).toFixed(2)}, the tokens of all rows over the validation split's): ${duration(x.everyRowSearchS)} |`,
  ];
}

function speedText(c: Comparison): string {
  if (c.speedUp === undefined) return "—";
  return `**${c.speedUp.toFixed(1)}×** (paper: ${PAPER_SPEEDUP_GPTJ.toFixed(1)}× on GPT-J); modelled: ${c.cachedSpeedUp!.toFixed(1)}× against LASER with every layer's input cached, ${c.everyRowSpeedUp!.toFixed(1)}× against LASER evaluating every row`;
}

function shapeTable(r: ShapeRecord): string[] {
  const c = r.comparison;
  return [
    `## ${r.label}`,
    "",
    "| | |",
    "| --- | --- |",
    `| c2i run | ${outcome(r.c2i)} |`,
    `| LASER sample run | ${outcome(r.laser)} |`,
    `| tokenizer | ${tokensText(r.tokenizer)} |`,
    `| rows and splits | ${splitsText(r)} |`,
    `| c2i phases | ${phasesText(r.c2i)} |`,
    `| c2i search (prepare → evaluate) | ${c.c2i ? `**${duration(c.c2i.searchS)}**` : "—"} (${r.c2iCandidates} candidates planned, ${r.c2i.candidates ?? "—"} evaluated) |`,
    `| c2i test evaluation (finalize) | ${c.c2i ? duration(c.c2i.testS) : "—"} |`,
    `| LASER sample | layers ${r.sample.layers.join(", ")} × ${r.sample.kind} × rate ${r.sample.rate}, one candidate per shard; phases: ${phasesText(r.laser)}; layer cache: ${layerCacheText(r.laser)} |`,
    ...laserRows(r),
    `| speed-up, LASER search ÷ c2i search | ${speedText(c)} |`,
    `| peak RSS | c2i: ${peaksText(r.c2i.peaks) || "—"}; LASER sample: ${peaksText(r.laser.peaks) || "—"} |`,
    `| sgemm GFLOP/s before / after, load at start / end | c2i: ${runConditions(r.c2i)}; LASER sample: ${runConditions(r.laser)} |`,
    "",
    `c2i: \`c2i ${r.c2i.args.join(" ")}\``,
    "",
    `LASER sample: \`c2i ${r.laser.args.join(" ")}\``,
    "",
  ];
}

/** The whole report; `reading` replaces the placeholder once the lead has written it. */
export function renderReport(records: readonly ShapeRecord[], reading = ""): string {
  const dates = records.flatMap((r) => [r.c2i.date, r.laser.date]).sort();
  const first = records[0];
  return [
    "# c2i vs LASER at benchmark size (issue 16)",
    "",
    `Run: ${[...new Set(records.map((r) => `\`npx tsx bench/laser/run.ts ${r.benchArgs.join(" ")}\``))].join(", ")}; runs started between ${dates[0] ?? "—"} and ${dates.at(-1) ?? "—"}; engine ${[...new Set(records.map((r) => r.engine))].join(", ")} (the last commit that changed product code).`,
    "",
    `- **What runs**: the real CLI, \`node bin/c2i.mjs adapt\` with ${first?.agents ?? "two"} local agents (one thread each), on random-weight`,
    "  checkpoints in the exact shapes of the real models' config.json (`bench/scale/shapes.ts`: weights uniform with std 0.02,",
    "  norms 1, seed 1). Random weights make every accuracy meaningless here; the costs are real.",
    `- **Data**: FEVER paper_dev (\`${first?.dataset ?? "fever:…"}\`) through c2i's \`fever\` loader with LASER's filter (SUPPORTS /`,
    "  REFUTES claims with one consistent label, each claim once); the choices \" true\" / \" false\" are single tokens read at the",
    "  prompt's last position, so each row is one sequence. LASER's own FEVER is paper_dev followed by paper_test (13,086 rows",
    "  with the reduced paper_test in ../shared/data/partial), so its first 20% is 2,617 rows, all of paper_dev: twice the",
    "  validation split here.",
    `- **c2i**: Algorithm 1 with METHOD.md's defaults (top-m 5, K ∈ {1, 2, 4, 8}, 9 rates: ${first?.c2iCandidates ?? 180} candidates) on the seeded`,
    "  100-row adaptation set, one score shard (one gradient pass) per agent. Its search is every phase before the held-out",
    "  evaluation: prepare, baseline (its test-set shard runs beside the adaptation set's on the other agent and is no larger),",
    "  score, evaluate. The test evaluation is finalize (the chosen edit on the test set; no shard when \"no edit\" wins).",
    "- **LASER**: `--strategy laser` on a sample of its candidates, each alone in an evaluate shard, spread evenly over the",
    "  agents: its agent computes the matrix's SVD and one full forward over the whole validation split (a shard with one",
    "  edit does not warm the layer cache; the table says whether it was used). Its search is **extrapolated** from that",
    "  sample: its measured prepare and baseline (the unedited model on the validation split, one shard) plus the",
    "  per-candidate cost × the full grid (every candidate matrix of `agent/models/candidates.ts` × the 9 rates at K = 1)",
    "  ÷ the agents. Two modelled variants bracket it: with every layer's input cached, an edit of layer ℓ reruns only",
    "  ℓ…L−1, (L+1)/2L of the forward on average (bench/sweep; the real cache holds 512 MiB per agent, a few layers of",
    "  the validation split); and LASER's published code, which evaluates every row for every candidate and takes the",
    "  first 20% of the predictions as validation afterwards (`src/abstract_experiment.py` `validate`,",
    "  `src/intervention_gptj_fever.py` in pratyushasharma/laser), so baseline and candidates cost all rows' tokens.",
    "- **Peak RSS** is each process's VmHWM polled every 250 ms (processes under 64 MiB omitted); **sgemm** is one-thread",
    "  OpenBLAS 768×768·768×3072 GFLOP/s just before and after each run.",
    "",
    ...records.flatMap(shapeTable),
    "## Reading",
    "",
    reading.trim() || "_To be written after the run on a quiet machine._",
    "",
  ].join("\n");
}
