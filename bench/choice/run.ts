// Choice tasks before vs after issue 15, side by side in one run:
//  A. 100-sample evaluation and gradient pass, per-choice encoding vs shared prompt (this tree, interleaved), with tokens;
//  B. one candidate's split on stories260K (truncate, swap, forward, the rest), the code before (--before REF) vs this tree;
//  C. `c2i adapt --strategy both` on stories260K's cloze choice task, the code before vs this tree.
// Run: npx tsx bench/choice/run.ts [--rounds 3] [--gradient-rounds 1] [--candidate-rounds 2] [--before REF, default: merge-base of HEAD and main]
//        [--skip gpt2|fever|eight,stories,candidate,adapt] [--agents 2] [--gpt2-bpe DIR] [--work DIR] [--out bench/choice/latest.md]
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../agent/compute/backend.ts";
import { silentLogger } from "../../common/log.ts";
import { flag } from "../flags.ts";
import { comparePasses, median, type PassComparison } from "./passes.ts";
import { c2i, gpt2Tasks, ROOT, storiesFiles, storiesTask, writeText } from "./tasks.ts";

const ROUNDS = Number(flag("rounds", "3"));
const GRADIENT_ROUNDS = Number(flag("gradient-rounds", "1"));
const CANDIDATE_ROUNDS = Number(flag("candidate-rounds", "2"));
/** The code before this change: where this branch left main, unless given. */
const BEFORE = flag("before", execSync(`git -C ${JSON.stringify(ROOT)} merge-base HEAD main`).toString().trim().slice(0, 7));
const SKIP = new Set(flag("skip", "").split(",").filter(Boolean));
const AGENTS = flag("agents", "2");
const WORK = flag("work", mkdtempSync(join(tmpdir(), "c2i-choice-bench-")));
const OUT = flag("out", join(ROOT, "bench/choice/latest.md"));
const log = (line: string) => process.stderr.write(`${line}\n`);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** The code at `ref`, extracted beside the work files with this tree's node_modules (the same installed packages). */
function beforeTree(ref: string): string {
  const dir = join(WORK, `before-${ref}`);
  if (!existsSync(join(dir, "package.json"))) {
    mkdirSync(dir, { recursive: true });
    execSync(`git -C ${JSON.stringify(ROOT)} archive ${ref} | tar -x -C ${JSON.stringify(dir)}`);
    symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
  }
  return dir;
}

function passRows(c: PassComparison): string[] {
  const [b, a] = [c.sizes["per-choice"], c.sizes.shared];
  const row = (what: string, t: PassComparison["evaluate"]) => {
    const [wb, wa] = [median(t["per-choice"].wallMs), median(t.shared.wallMs)];
    const [cb, ca] = [median(t["per-choice"].cpuMs), median(t.shared.cpuMs)];
    return `| ${c.task} | ${what} | ${f1(wb)} → ${f1(wa)} ms | **${f2(wb / wa)}×** | ${f2(cb / ca)}× | ${b.rows} → ${a.rows} rows, ${b.tokens} → ${a.tokens} tokens (${b.real} → ${a.real} real) |`;
  };
  return [row("evaluation", c.evaluate), row("gradient pass (all matrices)", c.gradient)];
}

interface CandidateSplit {
  perCandidateMs: Record<string, number>;
  /** Through a local agent (child process): the protocol's share, per shard and per candidate. */
  roundTrip: { perShardMs: number; perCandidateMs: number };
  layerCache: { partial: number; full: number };
}

function candidateSplit(root: string, model: string, dataset: string): CandidateSplit {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/choice/candidate.ts"), "--root", root, "--model", model, "--dataset", dataset, "--shards", "4"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`candidate.ts --root ${root} exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as CandidateSplit;
}

interface StrategyRun {
  strategy: string;
  seconds: number;
  candidates: number;
  evaluateMs: number;
  edit: string;
  testAccuracy: string;
}

function adaptRun(root: string, label: string, model: string, dataset: string): StrategyRun[] {
  const out = join(WORK, `adapt-${label}`);
  c2i(["adapt", "--model", model, "--dataset", dataset, "--strategy", "both", "--out", out, "--no-checkpoint", "--agents", AGENTS], root);
  return ["c2i", "laser"].map((strategy) => {
    // --strategy both writes the first strategy's result.json and result.<strategy>.json for the other.
    const file = [join(out, `result.${strategy}.json`), join(out, "result.json")].find((f) => existsSync(f))!;
    const doc = JSON.parse(readFileSync(file, "utf8")) as {
      totalMs: number; phases: { name: string; ms: number }[]; candidates: unknown[];
      chosen: { edit: boolean; candidate: { matrix: string; blocks: number; rate: number } | null; test: { accuracy: number } }; baseline: { test: { accuracy: number } };
    };
    const c = doc.chosen.candidate;
    return {
      strategy,
      seconds: doc.totalMs / 1000,
      candidates: doc.candidates.length,
      evaluateMs: doc.phases.filter((p) => p.name === "evaluate").reduce((a, p) => a + p.ms, 0),
      edit: doc.chosen.edit && c ? `${c.matrix.replace(/^model\./, "")} K=${c.blocks} ρ=${c.rate}` : "no edit",
      testAccuracy: `${f1(100 * doc.baseline.test.accuracy)}% → ${f1(100 * doc.chosen.test.accuracy)}%`,
    };
  });
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const started = new Date().toISOString();
  const lines: string[] = [`# Choice tasks: each prompt once (issue 15)`, "", `Run ${started} on this machine (2 cores shared with other jobs: load average ${execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ")} at the start). Command: \`npx tsx bench/choice/run.ts ${process.argv.slice(2).join(" ")}\`.`, ""];
  if (!SKIP.has("gpt2") || !SKIP.has("stories")) {
    await selectBackend({ prefer: "wasm", logger: silentLogger() });
    const gpt2 = SKIP.has("gpt2") ? [] : await gpt2Tasks(WORK, process.argv.includes("--gpt2-bpe") ? flag("gpt2-bpe", "") : undefined);
    const tasks = [...gpt2.filter((_, i) => !SKIP.has(i === 0 ? "fever" : "eight")), ...(SKIP.has("stories") ? [] : [await storiesTask(WORK)])];
    lines.push(
      "## A. 100-sample evaluation and gradient pass: one sequence per choice (before) vs each prompt once (after)",
      "",
      `wasm + OpenBLAS (1 thread), batches of 16 sequences in chunks of 32 samples (the agents' defaults), adaptation set of seed 0. Median of ${ROUNDS} interleaved evaluation rounds and ${GRADIENT_ROUNDS} gradient round(s); wall ratio, then the ratio of process CPU time (less sensitive to the other jobs).`,
      "",
      "| task | pass | wall, before → after | wall ratio | CPU ratio | work per pass |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    const agreements: string[] = [];
    for (const task of tasks) {
      log(`A: ${task.name}`);
      const c = comparePasses(task, ROUNDS, GRADIENT_ROUNDS, log);
      lines.push(...passRows(c));
      log(passRows(c).join("\n"));
      const g = c.agreement;
      agreements.push(`- ${c.task}: largest per-sample loss difference ${g.maxLossDiff.toExponential(2)}, correctness ${g.sameCorrect ? "identical" : "DIFFERS"}; gradient pass loss difference ${g.gradLossDiff.toExponential(2)}, largest ∂L/∂W difference ${g.gradRelDiff.toExponential(2)} of the matrix's largest entry`);
    }
    lines.push("", "Same numbers to float32 rounding:", ...agreements, "");
    writeText(OUT, lines.join("\n"));
  }
  if (!SKIP.has("candidate") || !SKIP.has("adapt")) {
    const before = beforeTree(BEFORE);
    const { modelDir, dataset } = storiesFiles(WORK);
    if (!SKIP.has("candidate")) {
      log("B: one candidate's split, before vs after");
      const runs: { before: CandidateSplit[]; after: CandidateSplit[] } = { before: [], after: [] };
      for (let r = 0; r < CANDIDATE_ROUNDS; r++) {
        for (const which of r % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const)) runs[which].push(candidateSplit(which === "before" ? before : ROOT, modelDir, dataset));
      }
      const part = (which: "before" | "after", key: string) =>
        median(runs[which].map((s) => (key === "roundTrip" ? s.roundTrip.perCandidateMs : s.perCandidateMs[key] ?? 0)));
      const parts: [string, string][] = [
        ["wall", "one candidate, all of it"], ["truncate", "truncate the cached factors"], ["swap", "swap the matrix in and back"],
        ["forward", "forward passes (from the layer cache), incl. per-batch masks and rotary tables"], ["evaluateOther", "log-softmax at the read positions, argmax, downloads, judge, chunk steps"],
        ["shardOther", "the rest of the shard, per candidate"], ["svd", "SVD cache look-up"],
        ["roundTrip", "local-agent protocol round trip (child process), per candidate"],
      ];
      lines.push(
        "## B. One candidate of a search: stories260K, 100-sample 4-way cloze evaluation, in an evaluate shard of 9 rates",
        "",
        `The code at ${BEFORE} vs this tree, each in its own process (the agent's executor, in-process), ${CANDIDATE_ROUNDS} interleaved rounds of 4 shards × 9 candidates on matrices spread over the layers; median ms per candidate.`,
        "",
        "| part | before | after | ratio |",
        "| --- | --- | --- | --- |",
        ...parts.map(([key, what]) => `| ${what} | ${f1(part("before", key))} | ${f1(part("after", key))} | ${part("after", key) > 0 ? `${f2(part("before", key) / part("after", key))}×` : "—"} |`),
        "",
        `Fixed (non-forward) cost per candidate, protocol included: before ${f1(part("before", "wall") - part("before", "forward") + part("before", "roundTrip"))} ms, after ${f1(part("after", "wall") - part("after", "forward") + part("after", "roundTrip"))} ms (target ≤ 50 ms).`,
        "",
      );
      writeText(OUT, lines.join("\n"));
    }
    if (!SKIP.has("adapt")) {
      log("C: c2i adapt --strategy both, before vs after (long)");
      const b = adaptRun(before, "before", modelDir, dataset);
      const a = adaptRun(ROOT, "after", modelDir, dataset);
      lines.push(
        `## C. \`c2i adapt --strategy both --agents ${AGENTS}\` on stories260K, 2,000-row cloze choice task`,
        "",
        "| strategy | wall, before → after | ratio | evaluate phase | candidates | evaluate phase per candidate × agents | chosen edit (before / after) | test accuracy (before / after) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ...b.map((x, i) => {
          const y = a[i]!;
          const per = (s: StrategyRun) => (s.evaluateMs * Number(AGENTS)) / Math.max(1, s.candidates);
          return `| ${x.strategy} | ${f1(x.seconds)} → ${f1(y.seconds)} s | **${f2(x.seconds / y.seconds)}×** | ${f1(x.evaluateMs / 1000)} → ${f1(y.evaluateMs / 1000)} s | ${x.candidates} / ${y.candidates} | ${f1(per(x))} → ${f1(per(y))} ms | ${x.edit} / ${y.edit} | ${x.testAccuracy} / ${y.testAccuracy} |`;
        }),
        "",
      );
    }
  }
  writeText(OUT, lines.join("\n"));
  console.log(lines.join("\n"));
  log(`written to ${OUT}; work files in ${WORK}`);
}

await main();
