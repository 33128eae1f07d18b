// `c2i demo`: writes the generated demo model (a tiny Llama with a planted harmful component) and its task.
import { buildWorld, DEMO_EXPECTED, DEMO_SEED, LAYERS } from "../../agent/demo/construction.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import type { Command } from "../command.ts";
import { output, parseFlags, parseInteger, requireString } from "../command.ts";

const usage = `usage: c2i demo --out DIR [--layers N] [--json]
  --layers N  decoder layers (default 2); layers beyond the first are small noise only (near-identity), so
              accuracy is the same while the number of candidate matrices (7 per layer) grows.
  Writes DIR/model/ (Hugging Face Llama: config.json, model.safetensors, tokenizer.json) and DIR/dataset.jsonl,
  byte-identical on every run. Try: c2i eval --model DIR/model --dataset DIR/dataset.jsonl
  JSON: {"model", "dataset", "rows", "parameters", "layers", "plantedMatrix", "baselineAccuracy", "editedAccuracy"}`;

export const demoCommand: Command = {
  name: "demo",
  summary: "write a tiny generated model and task that the method can improve",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { out: { type: "string" }, layers: { type: "string" }, json: { type: "boolean" } });
    const layers = values.layers === undefined ? LAYERS : parseInteger(requireString(values, "layers"), "layers", LAYERS);
    const written = writeDemo(requireString(values, "out"), DEMO_SEED, { layers });
    const world = buildWorld();
    const report = {
      model: written.model,
      dataset: written.dataset,
      rows: written.rows,
      parameters: written.parameters,
      layers,
      subjects: world.subjects.length,
      plantedMatrix: DEMO_EXPECTED.plantedMatrix,
      baselineAccuracy: DEMO_EXPECTED.baselineAccuracy,
      editedAccuracy: DEMO_EXPECTED.editedAccuracy,
    };
    output(values.json === true, report, () =>
      [
        `model:   ${written.model}  (${written.parameters} parameters, Llama, ${layers} layers)`,
        `dataset: ${written.dataset}  (${written.rows} rows)`,
        `by construction: baseline accuracy ${(100 * report.baselineAccuracy).toFixed(0)}%; pruning the small singular directions of`,
        `  ${report.plantedMatrix} (K=1, rate ${DEMO_EXPECTED.goodRate}) gives ${(100 * report.editedAccuracy).toFixed(0)}%`,
      ].join("\n"),
    );
    return 0;
  },
};
