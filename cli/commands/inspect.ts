// `c2i inspect`: what a checkpoint holds (tensors, parameters, model type); validates every header on the way.
import { describeCheckpoint } from "../../agent/checkpoint/describe.ts";
import { resolveModelRef } from "../../agent/checkpoint/hub.ts";
import type { Command } from "../command.ts";
import { output, parseFlags, requireString } from "../command.ts";

const usage = `usage: c2i inspect --model DIR|FILE|hf:<org>/<name>[@rev] [--json]
  --model      checkpoint directory, .safetensors file, index file, or hub reference   (env C2I_MODEL)
  --cache-dir  hub download cache   (env C2I_HUB_CACHE; default ~/.cache/c2i/hub)
  --endpoint   hub endpoint         (env HF_ENDPOINT; default https://huggingface.co)
  --hf-token   hub token            (env HF_TOKEN)
  --json       print JSON: {path, modelType, parameters, bytes, tensors: [{name, dtype, shape}], ...}`;

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export const inspectCommand: Command = {
  name: "inspect",
  summary: "list a checkpoint's tensors, parameter count and model type",
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        model: { type: "string" },
        "cache-dir": { type: "string" },
        endpoint: { type: "string" },
        "hf-token": { type: "string" },
        json: { type: "boolean" },
      },
      { model: "C2I_MODEL", "cache-dir": "C2I_HUB_CACHE", endpoint: "HF_ENDPOINT", "hf-token": "HF_TOKEN" },
    );
    const path = await resolveModelRef(requireString(values, "model"), {
      cacheDir: values["cache-dir"] as string | undefined,
      endpoint: values.endpoint as string | undefined,
      token: values["hf-token"] as string | undefined,
    });
    const summary = describeCheckpoint(path);
    output(values.json === true, summary, () => {
      const width = Math.max(4, ...summary.tensors.map((t) => t.name.length));
      const lines = summary.tensors.map((t) => `  ${t.name.padEnd(width)}  ${t.dtype.padEnd(4)}  [${t.shape.join(", ")}]`);
      return [
        `${summary.path}`,
        `model_type: ${summary.modelType ?? "(no config.json)"}${summary.architectures.length ? `  (${summary.architectures.join(", ")})` : ""}`,
        `tensors: ${summary.tensors.length}${summary.sharded ? " (sharded)" : ""}   parameters: ${summary.parameters} (${formatCount(summary.parameters)})   bytes: ${summary.bytes}`,
        ...lines,
      ].join("\n");
    });
    return 0;
  },
};
