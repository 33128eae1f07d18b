// Uniform compression of the demo model at several ratios: plain SVD vs FWSVD vs ASVD, accuracy and perplexity side by side.
// Run: npx tsx bench/compress/run.ts [--ratios 0.5,0.75] [--backend cpu|wasm]
import { parseArgs } from "node:util";
import { selectBackend } from "../../agent/compute/backend.ts";
import { compressModel } from "../../agent/compress/uniform.ts";
import { defaultCacheDir } from "../../agent/demo/ref.ts";
import { ensureDemo } from "../../agent/demo/write.ts";
import type { FactorizationName } from "../../agent/linalg/factorizations/types.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadModel } from "../../agent/models/load.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { silentLogger } from "../../common/log.ts";
import { adaptTestSplit } from "../../common/split.ts";

const { values } = parseArgs({ options: { ratios: { type: "string" }, backend: { type: "string" } } });
const ratios = (values.ratios ?? "0.75,0.5,0.25").split(",").map(Number);
const backend = await selectBackend({ prefer: (values.backend ?? "cpu") as "cpu", blas: "off", logger: silentLogger() });
const svd = selectSvd();
const demo = ensureDemo(defaultCacheDir());
const dataset = loadDataset(demo.dataset);
const split = adaptTestSplit(dataset.rows.length, { seed: 0, adaptSize: 100, testSize: 400 });
const tokenizer = await loadTokenizer(demo.model);
console.log(`demo model, ${split.adapt.length} calibration rows, ${split.test.length} test rows; backend ${backend.name}, svd ${svd.name}`);
console.log("ratio  layers  factorization  accuracy before → after   perplexity before → after   low-rank params / dense   seconds");
const rows: string[] = [];
for (const layers of ["mlp", "all"] as const) {
  for (const ratio of ratios) {
    for (const factorization of ["svd", "fwsvd", "asvd"] as FactorizationName[]) {
      const model = await loadModel(demo.model);
      try {
        const t0 = performance.now();
        const { report } = compressModel(model, tokenizer, dataset, { ratio, factorization, layers, svd, calibration: split.adapt, evaluation: split.test });
        const s = (performance.now() - t0) / 1000;
        const b = report.before!;
        const a = report.after!;
        const line = `${ratio.toFixed(2)}   ${layers.padEnd(6)}  ${factorization.padEnd(13)}  ${(100 * b.accuracy).toFixed(1)}% → ${(100 * a.accuracy).toFixed(1)}%`.padEnd(58) +
          `${b.perplexity.toFixed(3)} → ${a.perplexity.toFixed(3)}`.padEnd(28) + `${report.parameters.compressedLowRank} / ${report.parameters.compressedDense}`.padEnd(26) + s.toFixed(1);
        console.log(line);
        rows.push(`| ${ratio} | ${layers} | ${factorization} | ${(100 * b.accuracy).toFixed(1)}% | ${(100 * a.accuracy).toFixed(1)}% | ${b.perplexity.toFixed(3)} | ${a.perplexity.toFixed(3)} | ${report.parameters.compressedLowRank} / ${report.parameters.compressedDense} |`);
      } finally {
        model.dispose();
      }
    }
  }
}
console.log("\n| kept rank ratio | matrices | factorization | acc before | acc after | ppl before | ppl after | low-rank / dense params |\n|---|---|---|---|---|---|---|---|");
console.log(rows.join("\n"));
