// Masked protocol for encoders (BERT/RoBERTa): the answer's tokens are read at the prompt's mask positions.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { answerProtocol } from "./answer-scoring.ts";
import type { EncodedAnswer } from "./generative.ts";
import type { EncodeContext, TaskProtocol } from "./protocol.ts";

/** Written in prompts whatever the tokenizer's own mask token is ([MASK], <mask>, …). */
export const MASK_PLACEHOLDER = "<mask>";

/**
 * [BOS] prompt [EOS] as the tokenizer frames it, with the prompt's mask tokens predicting the answer
 * tokens. A prompt with one mask and a multi-token answer gets one mask per answer token; otherwise
 * the number of masks must equal the number of answer tokens. Long prompts lose tokens from the left,
 * never a mask.
 */
export function encodeMaskedAnswer(prompt: string, answer: string, context: EncodeContext, drop?: number): EncodedAnswer {
  const { tokenizer, maxTokens, where } = context;
  const mask = tokenizer.mask;
  if (mask === undefined || tokenizer.maskToken === undefined) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${tokenizer.source}: the masked protocol needs a tokenizer with a mask token ("mask_token" in tokenizer_config.json)`);
  }
  const text = prompt.split(MASK_PLACEHOLDER).join(tokenizer.maskToken);
  const promptIds = tokenizer.encode(text);
  const answerIds = tokenizer.encode(answer);
  if (answerIds.length === 0) {
    throw new C2iError(ErrorCode.DATASET_INVALID, `${where}: the answer ${JSON.stringify(answer)} tokenizes to no tokens`);
  }
  const masks = promptIds.filter((id) => id === mask).length;
  if (masks === 0) {
    throw new C2iError(ErrorCode.DATASET_INVALID, `${where}: the prompt has no mask; write ${MASK_PLACEHOLDER} (or ${tokenizer.maskToken}) where the answer goes`);
  }
  let body = promptIds;
  if (masks === 1 && answerIds.length > 1) {
    const at = promptIds.indexOf(mask);
    body = [...promptIds.slice(0, at), ...answerIds.map(() => mask), ...promptIds.slice(at + 1)];
  } else if (masks !== answerIds.length) {
    throw new C2iError(
      ErrorCode.DATASET_INVALID,
      `${where}: the prompt has ${masks} masks but the answer has ${answerIds.length} tokens; use one mask, or one per answer token`,
    );
  }
  const bos = tokenizer.addsBos && tokenizer.bos !== undefined ? [tokenizer.bos] : [];
  const eos = tokenizer.addsEos && tokenizer.eos !== undefined ? [tokenizer.eos] : [];
  const dropped = drop ?? Math.max(0, bos.length + body.length + eos.length - maxTokens);
  if (dropped > body.indexOf(mask)) {
    throw new C2iError(
      ErrorCode.DATASET_INVALID,
      `${where}: the text from the first mask on is longer than maxTokens = ${maxTokens}; shorten the prompt after the mask or raise maxTokens`,
    );
  }
  const ids = [...bos, ...body.slice(dropped), ...eos];
  const positions: number[] = [];
  ids.forEach((id, t) => {
    if (id === mask) positions.push(t);
  });
  return { ids, positions, targets: answerIds, dropped };
}

export function maskedProtocol(): TaskProtocol {
  return answerProtocol("masked", encodeMaskedAnswer);
}
