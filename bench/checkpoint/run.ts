// bench/checkpoint: safetensors read/write throughput per dtype and llama2.c conversion time, as ratios to a raw file read.
// Run: npx tsx bench/checkpoint/run.ts [--mb 256]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertLlama2c } from "../../agent/checkpoint/llama2c/convert.ts";
import { fingerprintCheckpoint, openCheckpoint, writeCheckpoint, type Dtype } from "../../agent/checkpoint/safetensors.ts";
import { llama2cBytes, tinyWeights, tokenizerBinBytes, trainTokenizer } from "../../test/checkpoint/llama2c-fixtures.ts";

const mbFlag = process.argv.indexOf("--mb");
const MB = mbFlag > 0 ? Number(process.argv[mbFlag + 1]) : 128;
const REPEATS = 3;

function best(fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    fn();
    t = Math.min(t, performance.now() - start);
  }
  return t / 1000;
}

const dir = mkdtempSync(join(tmpdir(), "c2i-bench-ckpt-"));
try {
  // 16 tensors of MB/16 MiB of float32 each, a typical large-matrix checkpoint
  const perTensor = (MB * 2 ** 20) / 4 / 16;
  const tensors = Array.from({ length: 16 }, (_, i) => ({
    name: `model.layers.${i}.mlp.up_proj.weight`,
    shape: [perTensor / 1024, 1024],
    data: Float32Array.from({ length: perTensor }, (_, j) => Math.sin(i * 7 + j * 0.001)),
  }));
  console.log(`bench/checkpoint — ${MB} MiB of float32 values in 16 tensors, best of ${REPEATS}; machine shared, numbers noisy`);
  const rows: string[][] = [];
  for (const dtype of ["F32", "F16", "BF16"] as Dtype[]) {
    const out = join(dir, dtype);
    const write = best(() => writeCheckpoint(out, tensors.map((t) => ({ ...t, dtype }))));
    const file = join(out, "model.safetensors");
    const fileMB = readFileSync(file).length / 2 ** 20;
    const raw = best(() => void readFileSync(file));
    const read = best(() => {
      const ckpt = openCheckpoint(out);
      for (const t of tensors) ckpt.readF32(t.name);
      ckpt.close();
    });
    const hash = best(() => void fingerprintCheckpoint(out));
    rows.push([dtype, fileMB.toFixed(0), (fileMB / raw).toFixed(0), (fileMB / read).toFixed(0), (raw / read).toFixed(2), (fileMB / write).toFixed(0), (fileMB / hash).toFixed(0)]);
    rmSync(out, { recursive: true });
  }
  const head = ["dtype", "file MiB", "raw readFileSync MiB/s", "readF32 MiB/s", "readF32 / raw", "write MiB/s", "fingerprint MiB/s"];
  console.log(head.join(" | "));
  for (const r of rows) console.log(r.join(" | "));

  // llama2.c conversion of a stories15M-shaped model (dim 288, 6 layers, 6 heads, vocab 32000, hidden 768)
  const cfg = { dim: 288, hiddenDim: 768, nLayers: 6, nHeads: 6, nKvHeads: 6, vocabSize: 32000, seqLen: 256, shared: true };
  const bin = join(dir, "stories15M-shaped.bin");
  writeFileSync(bin, llama2cBytes(cfg, tinyWeights(cfg)));
  const tok = trainTokenizer("Once upon a time there was a little girl named Lily who loved to play in the park with her friends.", 60);
  while (tok.pieces.length < cfg.vocabSize) {
    const i = tok.pieces.length;
    tok.pieces.push(new TextEncoder().encode(`tok${i.toString(36)}`));
    tok.scores.push(-i);
  }
  writeFileSync(join(dir, "tokenizer.bin"), tokenizerBinBytes(tok));
  const binMB = readFileSync(bin).length / 2 ** 20;
  const raw = best(() => void readFileSync(bin));
  const conv = best(() => void convertLlama2c({ checkpoint: bin, tokenizer: join(dir, "tokenizer.bin"), out: join(dir, "hf") }));
  console.log(`llama2.c → HF conversion, ${binMB.toFixed(1)} MiB model + 32000-token tokenizer: ${(conv * 1000).toFixed(0)} ms (${(conv / raw).toFixed(1)}× a raw read of the .bin)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
