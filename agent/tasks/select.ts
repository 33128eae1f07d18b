// Picks the task protocol a (dataset, model) pair implies: answer rows → generative on decoders, masked on encoders.
import { choiceProtocol, type ChoiceEncoding } from "./choice.ts";
import type { Dataset } from "./dataset.ts";
import { encodeCausalAnswer, generativeProtocol } from "./generative.ts";
import { encodeMaskedAnswer, maskedProtocol } from "./masked.ts";
import type { ProtocolName, TaskProtocol } from "./protocol.ts";

export interface ProtocolOptions {
  /** Choice tasks: compare length-normalised log-probs. @default false */
  lengthNormalise?: boolean;
  /** Choice tasks: each prompt once with its choices read from it, or one sequence per choice (./choice-encoding.ts). @default "shared" */
  choiceEncoding?: ChoiceEncoding;
}

/** The protocol's name alone (what a prepare shard reports). */
export function protocolName(dataset: Pick<Dataset, "protocol">, causal: boolean): ProtocolName {
  if (dataset.protocol === "choice") return "choice";
  return causal ? "generative" : "masked";
}

/** Choice rows on an encoder fill each choice into the prompt's masks. */
export function protocolFor(dataset: Pick<Dataset, "protocol">, causal: boolean, options: ProtocolOptions = {}): TaskProtocol {
  if (dataset.protocol === "choice") {
    return choiceProtocol(causal ? encodeCausalAnswer : encodeMaskedAnswer, { lengthNormalise: options.lengthNormalise, causal, encoding: options.choiceEncoding });
  }
  return causal ? generativeProtocol() : maskedProtocol();
}
