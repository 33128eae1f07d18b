// Architectures by Hugging Face `model_type`; an unknown type names itself and the supported list.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import { bert } from "./arch/bert.ts";
import { gpt2 } from "./arch/gpt2.ts";
import { gptNeox } from "./arch/gpt_neox.ts";
import { gptj } from "./arch/gptj.ts";
import { llama } from "./arch/llama.ts";
import type { ArchDefinition } from "./arch/types.ts";

export const ARCHITECTURES: readonly ArchDefinition[] = [gpt2, gptj, gptNeox, llama, bert];

export function supportedModelTypes(): string[] {
  return ARCHITECTURES.flatMap((a) => a.modelTypes);
}

/** The definition reading `modelType`; UNSUPPORTED_ARCH otherwise. `source` names the config file. */
export function architectureFor(modelType: unknown, source: string): ArchDefinition {
  const found = ARCHITECTURES.find((a) => typeof modelType === "string" && a.modelTypes.includes(modelType));
  if (found == null) {
    throw new C2iError(
      ErrorCode.UNSUPPORTED_ARCH,
      `${source}: model_type ${previewJson(modelType)} is not supported; supported: ${supportedModelTypes().join(", ")}`,
    );
  }
  return found;
}
