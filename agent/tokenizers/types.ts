// The tokenizer seam: what task protocols need from a model's tokenizer, nothing more.

export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, padding, …) from the text. @default false */
  skipSpecial?: boolean;
}

/**
 * A model's tokenizer. `encode` never adds special tokens: protocols add BOS/EOS themselves, as
 * METHOD.md prescribes, using `addsBos`/`addsEos` to mirror what the model saw in training.
 */
export interface Tokenizer {
  /** Directory it was loaded from, for error messages. */
  readonly source: string;
  /** Token ids of `text` without any added special tokens. */
  encode(text: string): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** Id of a token string (special or not), if the vocabulary has it. */
  tokenId(token: string): number | undefined;
  readonly bos?: number;
  /** Whether the model's tokenizer puts `bos` in front of every input by default. */
  readonly addsBos: boolean;
  readonly eos?: number;
  /** Whether the model's tokenizer appends `eos` (e.g. BERT's [SEP], RoBERTa's </s>) by default. */
  readonly addsEos: boolean;
  readonly pad?: number;
  /** Mask token id and text, for encoder models (BERT's [MASK], RoBERTa's <mask>). */
  readonly mask?: number;
  readonly maskToken?: string;
  /** One more than the largest token id. */
  readonly vocabSize: number;
}
