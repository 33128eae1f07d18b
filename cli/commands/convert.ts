// `c2i convert llama2c`: write a Hugging Face Llama checkpoint (config.json, model.safetensors, tokenizer.json) from llama2.c files.
import { convertLlama2c } from "../../agent/checkpoint/llama2c/convert.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Command } from "../command.ts";
import { output, parseFlags, requireString } from "../command.ts";

const usage = `usage: c2i convert llama2c --checkpoint MODEL.bin --tokenizer tokenizer.bin --out DIR [--dtype F32|F16|BF16] [--json]
  --checkpoint  llama2.c model export (legacy 7-int header, or version-1 "ak42")
  --tokenizer   llama2.c tokenizer.bin (its token count must equal the model's vocab_size)
  --out         output directory: config.json, model.safetensors, tokenizer.json, tokenizer_config.json
  --dtype       stored weight type (default F32)
  --json        print JSON: {out, config, tensors, parameters, tokenizer: {tokens, merges}}`;

export const convertCommand: Command = {
  name: "convert",
  summary: "convert llama2.c checkpoints to Hugging Face Llama format",
  usage,
  async run(argv) {
    const [format, ...rest] = argv;
    if (format !== "llama2c") {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `unknown source format ${JSON.stringify(format ?? "")}; supported: llama2c\n${usage}`);
    }
    const { values } = parseFlags(rest, {
      checkpoint: { type: "string" },
      tokenizer: { type: "string" },
      out: { type: "string" },
      dtype: { type: "string" },
      json: { type: "boolean" },
    });
    const dtype = (values.dtype as string | undefined) ?? "F32";
    if (dtype !== "F32" && dtype !== "F16" && dtype !== "BF16") {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--dtype must be F32, F16 or BF16, got "${dtype}"`);
    }
    const result = convertLlama2c({
      checkpoint: requireString(values, "checkpoint"),
      tokenizer: requireString(values, "tokenizer"),
      out: requireString(values, "out"),
      dtype,
    });
    output(values.json === true, result, () => {
      const c = result.config;
      return [
        `wrote ${result.out}`,
        `  llama: dim ${c.dim}, hidden ${c.hiddenDim}, ${c.nLayers} layers, ${c.nHeads} heads (${c.nKvHeads} kv), vocab ${c.vocabSize}, seq_len ${c.seqLen}, ${c.sharedClassifier ? "tied" : "untied"} classifier`,
        `  ${result.tensors} tensors, ${result.parameters} parameters (${dtype})`,
        result.tokenizer ? `  tokenizer.json: ${result.tokenizer.tokens} tokens, ${result.tokenizer.merges} merges` : "  no tokenizer",
      ].join("\n");
    });
    return 0;
  },
};
