// Fused BLAS attention vs the composite tfjs ops on wasm + OpenBLAS: the GPT-2-small attention block, then end to end.
// Usage: npx tsx bench/attention/run.ts [--reps 9] [--batches 4,16] [--threads 1] [--skip-engine] [--skip-full]
//        [--samples 100] [--length 48] [--answer 4] [--micro-batch 4] [--rounds 1] [--engine-reps 5]
//        One path alone, printing one JSON line: --child fused|composite|interleaved --dir CHECKPOINT_DIR [--micro-batch N]
// Both paths run with the BLAS matMul kernels; only attention differs. The block numbers are medians of
// interleaved repetitions in this process. End to end, on the checkpoint `bench/engine/blas.ts --write` makes:
// one child alternates fused/composite per micro-batch (kernels unregistered and registered again in between),
// then the full 100-sample evaluation and gradient pass run in one child per path (as agents run; --skip-full skips).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { selectBackend } from "../../agent/compute/backend.ts";
import { silentLogger } from "../../common/log.ts";
import { timeBlock } from "./block.ts";
import { runEngine, runInterleaved, type EngineResult, type EngineSettings, type InterleavedResult } from "./engine.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const threads = Number(arg("--threads", "1"));
const settings: EngineSettings = {
  samples: Number(arg("--samples", "100")),
  length: Number(arg("--length", "48")),
  answer: Number(arg("--answer", "4")),
  microBatch: Number(arg("--micro-batch", "4")),
  threads,
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

async function blocks(): Promise<string[]> {
  const backend = await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: threads, logger: silentLogger() });
  if (!backend.blas) throw new Error(`this bench needs OpenBLAS: ${backend.blasReason}`);
  const reps = Number(arg("--reps", "9"));
  const lines = [
    `GPT-2-small attention block (12 heads × 64, T = 48, causal + padding mask), wasm + BLAS, ${threads} OpenBLAS thread(s), median of ${reps} interleaved runs, load average ${load()}`,
    "",
    "| batch | fused fwd ms | composite fwd ms | fwd speed-up | fused fwd+bwd ms | composite fwd+bwd ms | fwd+bwd speed-up | fused bwd / fwd | max rel diff |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const b of arg("--batches", "4,16").split(",").map(Number)) {
    const r = timeBlock(b, reps);
    const bwd = (r.fusedStep - r.fusedForward) / r.fusedForward;
    lines.push(
      `| ${b} | ${r.fusedForward.toFixed(2)} | ${r.compositeForward.toFixed(2)} | ${(r.compositeForward / r.fusedForward).toFixed(1)}× | ` +
        `${r.fusedStep.toFixed(2)} | ${r.compositeStep.toFixed(2)} | ${(r.compositeStep / r.fusedStep).toFixed(1)}× | ${bwd.toFixed(2)} | ${r.maxRelDiff.toExponential(1)} |`,
    );
  }
  return lines;
}

function engine(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "c2i-bench-attn-"));
  try {
    const engineBench = fileURLToPath(new URL("../engine/blas.ts", import.meta.url));
    const w = spawnSync(process.execPath, ["--import", "tsx", engineBench, "--write", dir], { stdio: "inherit" });
    if (w.status !== 0) throw new Error(`bench/engine/blas.ts --write failed (exit ${w.status})`);
    const self = fileURLToPath(import.meta.url);
    const child = (mode: string) => {
      const c = spawnSync(process.execPath, ["--import", "tsx", self, "--child", mode, "--dir", dir, ...process.argv.slice(2)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      const line = c.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      if (c.status !== 0 || !line) throw new Error(`${mode} child failed (exit ${c.status}): ${c.stdout.slice(-500)}`);
      return JSON.parse(line) as unknown;
    };
    const mixed = child("interleaved") as InterleavedResult;
    const ms = (x: number) => (x * 1000).toFixed(0);
    const lines = [
      `One micro-batch of ${settings.microBatch} × ${settings.length} tokens, fused and composite alternating in one process (median of ${mixed.reps}), ${threads} OpenBLAS thread(s), load average ${load()}`,
      "",
      "| attention | evaluation ms | gradient step (48 matrices) ms |",
      "| --- | ---: | ---: |",
      `| fused | ${ms(mixed.fusedEval)} | ${ms(mixed.fusedStep)} |`,
      `| composite | ${ms(mixed.compositeEval)} | ${ms(mixed.compositeStep)} |`,
      `| speed-up | ${(mixed.compositeEval / mixed.fusedEval).toFixed(2)}× | ${(mixed.compositeStep / mixed.fusedStep).toFixed(2)}× |`,
      "",
    ];
    if (process.argv.includes("--skip-full")) return lines;
    const rows: EngineResult[] = [];
    const rounds = Number(arg("--rounds", "1"));
    for (let r = 0; r < rounds; r++) {
      for (const mode of ["fused", "composite"]) rows.push(child(mode) as EngineResult);
    }
    lines.push(
      `End to end, bench/engine/blas.ts's wasm+blas workload: ${settings.samples} samples × ${settings.length} tokens, micro-batches of ${settings.microBatch}, ∂L/∂W for all 48 matrices, ${threads} OpenBLAS thread(s), load average ${load()}`,
      "",
      "| round | attention | 100-sample evaluation s | gradient pass s | loss | correct | peak wasm heap MiB |",
      "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    );
    rows.forEach((r, i) =>
      lines.push(`| ${Math.floor(i / 2) + 1} | ${r.fused ? "fused" : "composite"} | ${r.evaluation.toFixed(2)} | ${r.gradient.toFixed(2)} | ${r.loss.toFixed(5)} | ${r.correct} | ${r.heapMiB.toFixed(0)} |`),
    );
    for (let i = 0; i + 1 < rows.length; i += 2) {
      const [f, c] = [rows[i]!, rows[i + 1]!];
      lines.push("", `round ${i / 2 + 1}: fused speed-up ${(c.evaluation / f.evaluation).toFixed(2)}× (evaluation), ${(c.gradient / f.gradient).toFixed(2)}× (gradient pass)`);
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--child")) {
  const mode = arg("--child", "");
  const r =
    mode === "interleaved"
      ? await runInterleaved(arg("--dir", ""), settings, Number(arg("--engine-reps", "5")))
      : await runEngine(arg("--dir", ""), mode === "fused", settings);
  process.stdout.write(JSON.stringify(r) + "\n");
} else {
  const out = await blocks();
  process.stdout.write(out.join("\n") + "\n\n");
  if (!process.argv.includes("--skip-engine")) process.stdout.write(engine().join("\n") + "\n");
}
