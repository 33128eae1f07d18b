// How a choice row becomes sequences: one per choice (the reference), or its prompt once with every choice read from it.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { EncodedAnswer } from "./generative.ts";
import type { EncodeContext, EncodedSample, EncodedSequence } from "./protocol.ts";

/** Encodes (prompt, choice) as one sequence: the causal or the masked answer encoder. */
export type AnswerEncoder = (prompt: string, answer: string, context: EncodeContext, drop?: number) => EncodedAnswer;

export const ChoiceEncoding = {
  /**
   * The prompt is computed once per row. Decoders: one packed sequence, the prompt then each choice's tokens but
   * its last as a branch that sees the prompt and itself (positions continuing from the prompt's end); single-token
   * choices are all read at the prompt's last position, so the row is its prompt alone. Encoders: choices whose
   * masked inputs are identical (the same number of answer tokens) share one sequence.
   */
  shared: "shared",
  /** One full sequence per choice, prompt + choice (what c2i did first; kept as the reference). */
  perChoice: "per-choice",
} as const;
export type ChoiceEncoding = (typeof ChoiceEncoding)[keyof typeof ChoiceEncoding];

/** Each choice encoded alone after the same prompt, cut as much as the longest choice needs. */
function perChoiceSequences(encodeAnswer: AnswerEncoder, prompt: string, choices: readonly string[], context: EncodeContext): { sequences: EncodedSequence[]; dropped: number } {
  const first = choices.map((c) => encodeAnswer(prompt, c, context));
  // Every choice sees the same prompt: cut as much as the longest choice needs.
  const dropped = Math.max(...first.map((e) => e.dropped));
  const encoded = first.map((e, i) => (e.dropped === dropped ? e : encodeAnswer(prompt, choices[i]!, context, dropped)));
  return { sequences: encoded.map(({ dropped: _, ...sequence }) => sequence), dropped };
}

/** The choice of each read when sequence c holds exactly choice c's reads. */
function oneSequencePerChoice(sequences: readonly EncodedSequence[]): number[] {
  return sequences.flatMap((s, c) => s.targets.map(() => c));
}

/**
 * Decoder choices packed after one copy of their prompt. Choice c's token j is predicted at the prompt's last
 * position (j = 0) or at its own token j − 1, which sits in branch c + 1 at position id promptLength + j − 1.
 * A choice's last token is never an input, so single-token choices add no tokens at all.
 */
export function packCausalChoices(sequences: readonly EncodedSequence[], where: string): { sequence: EncodedSequence; choiceOf: number[] } {
  const first = sequences[0]!;
  const promptLength = first.ids.length - first.targets.length;
  const prompt = first.ids.slice(0, promptLength);
  const ids = [...prompt];
  const positionIds = prompt.map((_, t) => t);
  const segments = prompt.map(() => 0);
  const positions: number[] = [];
  const targets: number[] = [];
  const choiceOf: number[] = [];
  sequences.forEach((seq, c) => {
    const own = seq.ids.length - seq.targets.length;
    if (own !== promptLength || seq.ids.slice(0, own).some((id, t) => id !== prompt[t])) {
      throw new C2iError(ErrorCode.INTERNAL, `${where}: choice ${c} was encoded after another prompt than choice 0; choices must share their prompt`);
    }
    seq.targets.forEach((target, j) => {
      if (j > 0) {
        ids.push(seq.targets[j - 1]!);
        positionIds.push(promptLength + j - 1);
        segments.push(c + 1);
      }
      positions.push(j === 0 ? promptLength - 1 : ids.length - 1);
      targets.push(target);
      choiceOf.push(c);
    });
  });
  const branched = ids.length > promptLength;
  return { sequence: { ids, positions, targets, ...(branched ? { positionIds, segments } : {}) }, choiceOf };
}

/** Choices whose inputs are identical (an encoder's masked prompt with as many masks) read from one sequence. */
export function mergeIdenticalInputs(sequences: readonly EncodedSequence[]): { sequences: EncodedSequence[]; choiceOf: number[] } {
  const merged = new Map<string, { sequence: EncodedSequence; choices: number[] }>();
  sequences.forEach((seq, c) => {
    const key = seq.ids.join(",");
    let entry = merged.get(key);
    if (!entry) merged.set(key, (entry = { sequence: { ids: seq.ids, positions: [], targets: [] }, choices: [] }));
    entry.sequence.positions.push(...seq.positions);
    entry.sequence.targets.push(...seq.targets);
    entry.choices.push(...seq.targets.map(() => c));
  });
  const out = [...merged.values()];
  return { sequences: out.map((e) => e.sequence), choiceOf: out.flatMap((e) => e.choices) };
}

/** Encode a choice row; `causal` picks the decoder packing or the encoder merge for the shared encoding. */
export function encodeChoices(
  encodeAnswer: AnswerEncoder,
  causal: boolean,
  encoding: ChoiceEncoding,
  row: { prompt: string; choices: readonly string[]; label: number },
  context: EncodeContext,
): EncodedSample {
  const { sequences, dropped } = perChoiceSequences(encodeAnswer, row.prompt, row.choices, context);
  if (encoding === ChoiceEncoding.perChoice) return { sequences, label: row.label, dropped, choiceOf: oneSequencePerChoice(sequences) };
  if (causal) {
    const { sequence, choiceOf } = packCausalChoices(sequences, context.where);
    return { sequences: [sequence], label: row.label, dropped, choiceOf };
  }
  return { ...mergeIdenticalInputs(sequences), label: row.label, dropped };
}
