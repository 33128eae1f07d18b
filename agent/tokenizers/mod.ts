// Public surface of agent/tokenizers.
export type { DecodeOptions, Tokenizer } from "./types.ts";
export { loadTokenizer } from "./load.ts";
