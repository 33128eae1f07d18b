// GPT-2-small-shaped gradient pass and 100-sample evaluation on wasm vs wasm+BLAS vs cpu+BLAS, side by side in one run.
// Usage: npx tsx bench/engine/blas.ts [--samples 100] [--length 48] [--answer 4] [--micro-batch 16] [--eval-micro-batch N] [--agents N]
//        [--variants wasm,wasm+blas,cpu+blas,wasm+blas/resident] [--threads N] [--grad-matrices all|first]
//        [--model DIR (reuse a checkpoint written by --write DIR)] [--write DIR]
// --grad-matrices first asks ∂L/∂W of layer 0's c_attn only: the backward still runs through every layer
// (dX), but skips the other 47 dW products and their read-back.
// Each variant runs in its own child process (one tfjs backend per process, as agents do) on the same
// randomly initialised checkpoint (GPT-2 small shapes: 12 layers, 768 wide, 3072 MLP, 50257 vocab).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { silentLogger } from "../../common/log.ts";
import { loadModel } from "../../agent/models/load.ts";
import { mulberry32 } from "../../common/random.ts";
import { sgemmGflops } from "../blas/sgemm.ts";
import { answerBatches, timedEvaluation, timedGradientPass } from "./passes.ts";

const GPT2_SMALL = { vocab: 50257, d: 768, layers: 12, heads: 12, inner: 3072, positions: 1024 } as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const samples = Number(arg("--samples", "100"));
const length = Number(arg("--length", "48"));
const answer = Number(arg("--answer", "4"));
const microBatch = Number(arg("--micro-batch", "16"));
// The evaluation keeps no activations for backprop, so it can run larger micro-batches than the gradient pass.
const evalMicroBatch = Number(arg("--eval-micro-batch", String(microBatch)));
const threads = Number(arg("--threads", String(availableParallelism())));
const gradMatrices = arg("--grad-matrices", "all");
// --agents N runs N copies of each variant at once, each with threads / N OpenBLAS threads, as `c2i adapt`'s
// N local agents do: the per-evaluation cost of a search is then the evaluation time / N.
const agents = Number(arg("--agents", "1"));


function writeGpt2Small(dir: string): void {
  const { vocab, d, layers, inner, positions } = GPT2_SMALL;
  const rand = mulberry32(1);
  const tensor = (name: string, shape: number[], scale: number, offset = 0) => {
    const data = new Float32Array(shape.reduce((p, x) => p * x, 1));
    for (let i = 0; i < data.length; i++) data[i] = offset + scale * (rand() - 0.5) * 3.46; // std ≈ scale
    return { name, shape, data };
  };
  const tensors = [tensor("wte.weight", [vocab, d], 0.02), tensor("wpe.weight", [positions, d], 0.01)];
  for (let i = 0; i < layers; i++) {
    const p = `h.${i}.`;
    tensors.push(
      tensor(p + "ln_1.weight", [d], 0.0, 1), tensor(p + "ln_1.bias", [d], 0.0),
      tensor(p + "attn.c_attn.weight", [d, 3 * d], 0.02), tensor(p + "attn.c_attn.bias", [3 * d], 0.0),
      tensor(p + "attn.c_proj.weight", [d, d], 0.02), tensor(p + "attn.c_proj.bias", [d], 0.0),
      tensor(p + "ln_2.weight", [d], 0.0, 1), tensor(p + "ln_2.bias", [d], 0.0),
      tensor(p + "mlp.c_fc.weight", [d, inner], 0.02), tensor(p + "mlp.c_fc.bias", [inner], 0.0),
      tensor(p + "mlp.c_proj.weight", [inner, d], 0.02), tensor(p + "mlp.c_proj.bias", [d], 0.0),
    );
  }
  tensors.push(tensor("ln_f.weight", [d], 0.0, 1), tensor("ln_f.bias", [d], 0.0));
  const config = { model_type: "gpt2", vocab_size: vocab, n_embd: d, n_layer: layers, n_head: GPT2_SMALL.heads, n_positions: positions, n_inner: inner, layer_norm_epsilon: 1e-5, activation_function: "gelu_new" };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  writeCheckpoint(dir, tensors);
}

/** Matmul FLOPs: the 4 projections per layer plus attention per token, the head at answer positions. */
function passFlops(): { forward: number; gradient: number } {
  const { d, inner, layers, vocab } = GPT2_SMALL;
  const tokens = samples * length;
  const perTokenLayer = 2 * (d * 3 * d + d * d + 2 * d * inner) + 4 * length * d;
  const body = tokens * layers * perTokenLayer;
  const head = samples * answer * 2 * d * vocab;
  // Backward: dX through every layer and the tied head; dW for the requested matrices only.
  const dW = gradMatrices === "all" ? body : tokens * 2 * d * 3 * d;
  return { forward: body + head, gradient: 2 * body + 2 * head + dW };
}

const batches = (microBatch: number) => answerBatches({ samples, length, answer, microBatch, vocab: GPT2_SMALL.vocab });

/**
 * Variants: "wasm", "wasm+blas", "cpu+blas"; a "/resident" suffix holds the weights on the backend (the engine before
 * issue 16) instead of in host memory (the default).
 */
async function child(variant: string, dir: string): Promise<void> {
  const [kind, placement] = variant.split("/");
  const [prefer, blas] = kind === "wasm" ? ["wasm", "off"] : kind === "wasm+blas" ? ["wasm", "auto"] : ["cpu", "auto"];
  const backend = await selectBackend({ prefer: prefer as "wasm" | "cpu", blas: blas as "auto" | "off", blasThreads: threads, logger: silentLogger() });
  const model = await loadModel(dir, { weightsOnHost: placement !== "resident" });
  const work = batches(microBatch);
  const evalWork = batches(evalMicroBatch);
  const total = samples * answer;
  const evaluation = timedEvaluation(model, evalWork);
  const names = model.candidates.map((c) => c.name).slice(0, gradMatrices === "all" ? undefined : 1);
  const gradient = timedGradientPass(model, names, work, total);
  model.dispose();
  process.stdout.write(JSON.stringify({
      variant, backend: backend.name, blas: backend.blas,
      evaluation: evaluation.seconds, evaluationCpu: evaluation.cpuSeconds, gradient: gradient.seconds, gradientCpu: gradient.cpuSeconds,
      loss: gradient.loss, correct: evaluation.correct,
    }) + "\n");
}

async function parent(): Promise<void> {
  const variants = arg("--variants", "wasm,wasm+blas,cpu+blas").split(",");
  const reuse = process.argv.includes("--model");
  const dir = reuse ? arg("--model", "") : mkdtempSync(join(tmpdir(), "c2i-bench-gpt2s-"));
  try {
    if (!reuse) writeGpt2Small(dir);
    const sgemm = sgemmGflops(threads);
    const results: Record<string, { evaluation: number; evaluationCpu: number; gradient: number; gradientCpu: number; loss: number }> = {};
    const self = fileURLToPath(import.meta.url);
    const perAgentThreads = Math.max(1, Math.floor(threads / agents));
    const childArgs = (v: string) => {
      const rest = process.argv.slice(2);
      const i = rest.indexOf("--threads");
      if (i >= 0) rest.splice(i, 2);
      return ["--import", "tsx", self, "--child", v, "--dir", dir, "--threads", String(perAgentThreads), ...rest];
    };
    const runChild = (v: string) =>
      new Promise<(typeof results)[string]>((resolve, reject) => {
        const c = spawn(process.execPath, childArgs(v), { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        c.stdout.on("data", (d: Buffer) => (out += d.toString()));
        c.on("close", (code) => {
          const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
          if (code !== 0 || !line) reject(new Error(`variant ${v} failed (exit ${code}): ${out.slice(-500)}`));
          else resolve(JSON.parse(line));
        });
      });
    for (const v of variants) {
      const runs = await Promise.all(Array.from({ length: agents }, () => runChild(v)));
      const mean = (key: "evaluation" | "evaluationCpu" | "gradient" | "gradientCpu") => runs.reduce((a, r) => a + r[key], 0) / runs.length;
      results[v] = { evaluation: mean("evaluation"), evaluationCpu: mean("evaluationCpu"), gradient: mean("gradient"), gradientCpu: mean("gradientCpu"), loss: runs[0]!.loss };
    }
    const f = passFlops();
    const gf = (flops: number, s: number) => (flops / s / 1e9).toFixed(1);
    const base = results["wasm"];
    const lines = [
      `GPT-2-small shapes, ${samples} samples × ${length} tokens (micro-batches of ${microBatch} for the gradient pass, ${evalMicroBatch} for the evaluation; ${answer} answer tokens each), ∂L/∂W for ${gradMatrices === "all" ? "all 48 matrices" : "layer 0's c_attn"}, ${threads} OpenBLAS threads, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
      `sgemm 768×768·768×3072 via koffi: ${sgemm.toFixed(1)} GFLOP/s; matmul work: forward ${(f.forward / 1e12).toFixed(2)} TFLOP, gradient pass ${(f.gradient / 1e12).toFixed(2)} TFLOP`,
      "",
      "| variant | evaluation s (CPU s) | eval GFLOP/s | gradient pass s (CPU s) | grad GFLOP/s | grad / sgemm | speed-up vs wasm (eval, grad) | loss |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...Object.entries(results).map(([v, r]) =>
        `| ${v} | ${r.evaluation.toFixed(2)} (${r.evaluationCpu.toFixed(1)}) | ${gf(f.forward, r.evaluation)} | ${r.gradient.toFixed(2)} (${r.gradientCpu.toFixed(1)}) | ${gf(f.gradient, r.gradient)} | ` +
          `${((f.gradient / r.gradient / 1e9 / sgemm) * 100).toFixed(0)}% | ` +
          `${base ? `${(base.evaluation / r.evaluation).toFixed(1)}×, ${(base.gradient / r.gradient).toFixed(1)}×` : "—"} | ${r.loss.toFixed(5)} |`,
      ),
    ];
    if (agents > 1) {
      lines.push(
        "",
        `${agents} copies of each variant ran at once with ${perAgentThreads} OpenBLAS thread(s) each; times are each copy's mean, ` +
          `so one search evaluation costs ${Object.entries(results).map(([v, r]) => `${v} ${(r.evaluation / agents).toFixed(2)} s`).join(", ")} of wall time on this machine.`,
      );
    }
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    if (!reuse) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--child")) await child(arg("--child", ""), arg("--dir", ""));
else if (process.argv.includes("--write")) writeGpt2Small(arg("--write", ""));
else await parent();
