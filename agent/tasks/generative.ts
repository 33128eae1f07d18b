// Generative answer protocol for causal decoders: input = [BOS] prompt answer; the answer tokens are the targets.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { answerProtocol } from "./answer-scoring.ts";
import type { EncodeContext, EncodedSequence, TaskProtocol } from "./protocol.ts";

export interface EncodedAnswer extends EncodedSequence {
  /** Prompt tokens dropped from the left. */
  dropped: number;
}

/**
 * tokenize(prompt) ++ tokenize(answer), each without special tokens, BOS in front only when the
 * tokenizer adds one (METHOD.md). Token t is predicted by the logits at t − 1. Prompts that do not
 * fit `maxTokens` lose tokens from the left (or exactly `drop` tokens when given).
 */
export function encodeCausalAnswer(prompt: string, answer: string, context: EncodeContext, drop?: number): EncodedAnswer {
  const { tokenizer, maxTokens, where } = context;
  const bos = tokenizer.addsBos && tokenizer.bos !== undefined ? [tokenizer.bos] : [];
  const promptIds = tokenizer.encode(prompt);
  const answerIds = tokenizer.encode(answer);
  if (answerIds.length === 0) {
    throw new C2iError(ErrorCode.DATASET_INVALID, `${where}: the answer ${JSON.stringify(answer)} tokenizes to no tokens`);
  }
  // Something must precede the first answer token to predict it: BOS or one prompt token.
  const keepAtLeast = bos.length > 0 ? 0 : 1;
  const room = promptIds.length - keepAtLeast;
  if (room < 0) {
    throw new C2iError(
      ErrorCode.DATASET_INVALID,
      `${where}: the prompt is empty and this tokenizer adds no BOS token, so nothing predicts the answer's first token; give the row a prompt`,
    );
  }
  const dropped = drop ?? Math.max(0, bos.length + promptIds.length + answerIds.length - maxTokens);
  if (dropped > room || bos.length + keepAtLeast + answerIds.length > maxTokens) {
    throw new C2iError(
      ErrorCode.DATASET_INVALID,
      `${where}: the answer has ${answerIds.length} tokens and cannot fit in maxTokens = ${maxTokens}; shorten it or raise maxTokens`,
    );
  }
  const ids = [...bos, ...promptIds.slice(dropped), ...answerIds];
  const start = ids.length - answerIds.length;
  return { ids, positions: answerIds.map((_, j) => start + j - 1), targets: answerIds, dropped };
}

export function generativeProtocol(): TaskProtocol {
  return answerProtocol("generative", encodeCausalAnswer);
}
