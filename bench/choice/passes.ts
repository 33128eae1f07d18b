// One task's 100-sample evaluation and gradient pass, per-choice encoding (before) vs shared prompt (after), interleaved.
import { chunks } from "../../agent/work/chunked.ts";
import type { ChoiceEncoding } from "../../agent/tasks/choice.ts";
import { EncodingCache } from "../../agent/tasks/encoding.ts";
import { encodedTaskFor, evaluateTask, gradientPass, type TaskRunOptions } from "../../agent/tasks/run.ts";
import type { BenchTask } from "./tasks.ts";

const ENCODINGS: ChoiceEncoding[] = ["per-choice", "shared"];
/** The agents' default batching (common/shards.ts DEFAULT_BATCHING): 16 sequences per pass, chunks of 32 samples. */
const BATCH = 16;
const CHUNK = 32;

export interface Sizes {
  /** Rows (sequences) run through the model per evaluation. */
  rows: number;
  /** Tokens run, padding included (rows × the batch's length, summed over batches). */
  tokens: number;
  /** Real tokens (no padding). */
  real: number;
}

export interface Timing {
  wallMs: number[];
  cpuMs: number[];
}

export interface PassComparison {
  task: string;
  sizes: Record<ChoiceEncoding, Sizes>;
  evaluate: Record<ChoiceEncoding, Timing>;
  gradient: Record<ChoiceEncoding, Timing>;
  /** Largest |loss difference| of one sample between the encodings, and whether every correctness agrees. */
  agreement: { maxLossDiff: number; sameCorrect: boolean; gradLossDiff: number; gradRelDiff: number };
}

function measure<T>(t: Timing, f: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  t.wallMs.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  t.cpuMs.push((c.user + c.system) / 1000);
  return out;
}

const empty = (): Record<ChoiceEncoding, Timing> => ({ "per-choice": { wallMs: [], cpuMs: [] }, shared: { wallMs: [], cpuMs: [] } });

export function comparePasses(task: BenchTask, rounds: number, gradientRounds: number, log: (line: string) => void): PassComparison {
  const { model, tokenizer, dataset, indices } = task;
  const parts = chunks(indices, CHUNK);
  const caches = { "per-choice": new EncodingCache(), shared: new EncodingCache() };
  const options = (e: ChoiceEncoding): TaskRunOptions => ({ batchSize: BATCH, choiceEncoding: e, cache: caches[e] });
  const evaluate = (e: ChoiceEncoding) => parts.flatMap((part) => evaluateTask(model, tokenizer, dataset, part, options(e)).perSample);
  const gradient = (e: ChoiceEncoding) => {
    const names = model.candidates.map((c) => c.name);
    let loss = 0;
    const grads = new Map<string, Float32Array>();
    for (const part of parts) {
      const r = gradientPass(model, tokenizer, dataset, part, names, options(e));
      loss += (r.loss * part.length) / indices.length;
      for (const [n, g] of r.grads) {
        const sum = grads.get(n);
        if (!sum) grads.set(n, g.map((v) => (v * part.length) / indices.length));
        else for (let i = 0; i < g.length; i++) sum[i] = sum[i]! + (g[i]! * part.length) / indices.length;
      }
    }
    return { loss, grads };
  };
  const sizes = Object.fromEntries(
    ENCODINGS.map((e) => {
      const batches = parts.flatMap((part) => encodedTaskFor(model, tokenizer, dataset, part, options(e)).batches);
      return [e, { rows: batches.reduce((n, b) => n + b.tokens.batch, 0), tokens: batches.reduce((n, b) => n + b.tokens.batch * b.tokens.length, 0), real: batches.reduce((n, b) => n + b.tokens.mask.reduce((a, m) => a + m, 0), 0) }];
    }),
  ) as Record<ChoiceEncoding, Sizes>;
  // Warm-up (kernels, encodings), and the numbers compared.
  const [before, after] = [evaluate("per-choice"), evaluate("shared")];
  const maxLossDiff = Math.max(...before.map((s, i) => Math.abs(s.loss - after[i]!.loss)));
  const sameCorrect = before.every((s, i) => s.correct === after[i]!.correct);
  const evalTimes = empty();
  for (let r = 0; r < rounds; r++) {
    for (const e of r % 2 === 0 ? ENCODINGS : [...ENCODINGS].reverse()) measure(evalTimes[e], () => evaluate(e));
    log(`  ${task.name}: evaluation round ${r + 1}/${rounds} done`);
  }
  const gradTimes = empty();
  let gradLossDiff = 0;
  let gradRelDiff = 0;
  for (let r = 0; r < gradientRounds; r++) {
    const got = new Map<ChoiceEncoding, ReturnType<typeof gradient>>();
    for (const e of r % 2 === 0 ? ENCODINGS : [...ENCODINGS].reverse()) got.set(e, measure(gradTimes[e], () => gradient(e)));
    const [a, b] = [got.get("per-choice")!, got.get("shared")!];
    gradLossDiff = Math.abs(a.loss - b.loss);
    for (const [n, g] of a.grads) {
      const h = b.grads.get(n)!;
      let num = 0;
      let den = 0;
      for (let i = 0; i < g.length; i++) {
        num = Math.max(num, Math.abs(g[i]! - h[i]!));
        den = Math.max(den, Math.abs(g[i]!));
      }
      gradRelDiff = Math.max(gradRelDiff, den === 0 ? 0 : num / den);
    }
    log(`  ${task.name}: gradient round ${r + 1}/${gradientRounds} done`);
  }
  return { task: task.name, sizes, evaluate: evalTimes, gradient: gradTimes, agreement: { maxLossDiff, sameCorrect, gradLossDiff, gradRelDiff } };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
