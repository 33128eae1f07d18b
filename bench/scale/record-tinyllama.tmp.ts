// One-off: records the TinyLlama adapt run whose bench parent was paused (so its 45-min timer could not stop it).
import { readFileSync, writeFileSync } from "node:fs";
import { sgemmGflops } from "../blas/sgemm.ts";
import { DEFAULT_TASK, writeTask } from "./checkpoint.ts";
import { parameterCount, shapeById, storedBytes } from "./shapes.ts";
import { passFlopsFor } from "./work.ts";
const shape = shapeById("tinyllama");
const lengths = writeTask("/tmp/c2i-scale-bench/task-32000.jsonl", 32000);
const [wallS, peaks, engine, args, date] = JSON.parse(process.argv[2]!);
const result = JSON.parse(readFileSync("/tmp/c2i-scale-bench/out-tinyllama-adapt/result.json", "utf8"));
const run = {
  shape: shape.id, label: shape.label, command: "adapt", args, dtype: shape.dtype, parameters: parameterCount(shape), storedBytes: storedBytes(shape),
  engine, status: "completed", exitCode: 0, wallS, peaks, sgemm: [106.7, sgemmGflops(1)], loadAtStart: 3.2, date,
  samples: 100, meanTokens: lengths.reduce((a, b) => a + b, 0) / lengths.length, flops: passFlopsFor(shape, lengths.slice(0, 100), DEFAULT_TASK.answerTokens),
  forwardAllRows: passFlopsFor(shape, lengths, DEFAULT_TASK.answerTokens).forward,
  phases: result.phases.map((p: { name: string; ms: number; shards: number }) => ({ name: p.name, ms: p.ms, shards: p.shards })),
  testSamples: result.sets.test.n,
};
writeFileSync("/tmp/scale-tiny-adapt.json", JSON.stringify([run], null, 2));
console.log(JSON.stringify(run.phases));
