// The output head is the input embedding exactly when config.json (or Hugging Face's default) says so.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../agent/models/load.ts";
import { useBackend } from "./backends.ts";
import { normalSampler, removeDir, tinyBatch, tinyModels, writeTinyCheckpoint, type TinyModel } from "./fixtures.ts";

/** Per architecture: a fixture, its head and embedding tensors, and Hugging Face's default for `tie_word_embeddings`. */
const CASES = [
  { fixture: "gpt2", head: "lm_head.weight", embedding: "transformer.wte.weight", hfDefault: true },
  { fixture: "gptj", head: "lm_head.weight", embedding: "transformer.wte.weight", hfDefault: false },
  { fixture: "gpt_neox", head: "embed_out.weight", embedding: "gpt_neox.embed_in.weight", hfDefault: false },
  { fixture: "llama (untied)", head: "lm_head.weight", embedding: "model.embed_tokens.weight", hfDefault: false },
  { fixture: "bert", head: "cls.predictions.decoder.weight", embedding: "bert.embeddings.word_embeddings.weight", hfDefault: true },
  { fixture: "roberta", head: "lm_head.decoder.weight", embedding: "roberta.embeddings.word_embeddings.weight", hfDefault: true },
] as const;

type Case = (typeof CASES)[number];
/** What the checkpoint stores as the head: nothing, fresh random values, or a copy of the embedding. */
type Head = "missing" | "random" | "embedding";

/** The fixture with `tie_word_embeddings` set to `tie` (absent when undefined) and the head stored as `head`. */
function variant(c: Case, tie: boolean | undefined, head: Head): TinyModel {
  const base = tinyModels().find((m) => m.name === c.fixture)!;
  const config = { ...base.config };
  delete config["tie_word_embeddings"];
  if (tie !== undefined) config["tie_word_embeddings"] = tie;
  const weights = new Map(base.weights);
  weights.delete(c.head);
  const embedding = weights.get(c.embedding)!;
  if (head === "embedding") weights.set(c.head, { shape: [...embedding.shape], data: Float32Array.from(embedding.data) });
  if (head === "random") {
    const normal = normalSampler(7);
    weights.set(c.head, { shape: [...embedding.shape], data: Float32Array.from(embedding.data, () => 0.3 * normal()) });
  }
  return { ...base, config, weights };
}

const dirs: string[] = [];
function write(model: TinyModel): string {
  const dir = writeTinyCheckpoint(model);
  dirs.push(dir);
  return dir;
}

/** Logits at every position of the tiny batch, and the state dict the model would write. */
async function run(model: TinyModel): Promise<{ logits: number[][]; state: Map<string, { data: Float32Array }> }> {
  const loaded = await loadModel(write(model));
  try {
    const batch = tinyBatch();
    const all = Int32Array.from({ length: batch.batch * batch.length }, (_, i) => i);
    const logits = tf.tidy(() => loaded.logitsAt(batch, all).arraySync());
    return { logits, state: loaded.stateDict() };
  } finally {
    loaded.dispose();
  }
}

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i]![j]!)))));
  return d;
}

describe("tied output heads follow tie_word_embeddings, else Hugging Face's default", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });
  afterEach(() => {
    while (dirs.length > 0) removeDir(dirs.pop()!);
  });

  describe.each(CASES.map((c) => [c.fixture, c] as const))("%s", (_name, c) => {
    /** Logits of an untied model whose head is a copy of the embedding: what a tied head must give. */
    let asEmbedding: number[][] = [];
    beforeAll(async () => {
      asEmbedding = (await run(variant(c, false, "embedding"))).logits;
    });

    it("config true: the head is the embedding; a stored head tensor is not read but kept for writing", async () => {
      expect(maxDiff((await run(variant(c, true, "missing"))).logits, asEmbedding)).toBeLessThan(1e-5);
      const stored = variant(c, true, "random");
      const { logits, state } = await run(stored);
      expect(maxDiff(logits, asEmbedding)).toBeLessThan(1e-5);
      expect(state.get(c.head)?.data).toEqual(stored.weights.get(c.head)!.data);
    });

    it("config false with the head stored: the head tensor is used", async () => {
      const { logits } = await run(variant(c, false, "random"));
      expect(maxDiff(logits, asEmbedding)).toBeGreaterThan(0.1);
    });

    it("config false without the head: CHECKPOINT_MISSING_TENSOR naming the tensor, config.json and tie_word_embeddings", async () => {
      await expect(loadModel(write(variant(c, false, "missing")))).rejects.toMatchObject({
        code: "CHECKPOINT_MISSING_TENSOR",
        message: expect.stringMatching(new RegExp(`config\\.json: .*"${c.head.replaceAll(".", "\\.")}".*"tie_word_embeddings" is false`)),
      });
    });

    it(`config absent: Hugging Face's default (${c.hfDefault ? "tied" : "untied"}) decides`, async () => {
      const withHead = (await run(variant(c, undefined, "random"))).logits;
      if (c.hfDefault) {
        expect(maxDiff(withHead, asEmbedding)).toBeLessThan(1e-5);
        expect(maxDiff((await run(variant(c, undefined, "missing"))).logits, asEmbedding)).toBeLessThan(1e-5);
      } else {
        expect(maxDiff(withHead, asEmbedding)).toBeGreaterThan(0.1);
        await expect(loadModel(write(variant(c, undefined, "missing")))).rejects.toMatchObject({
          code: "CHECKPOINT_MISSING_TENSOR",
          message: expect.stringMatching(new RegExp(`"${c.head.replaceAll(".", "\\.")}".*"tie_word_embeddings" is absent and Hugging Face's default for ${c.fixture.split(" ")[0]} is false`)),
        });
      }
    });
  });
});
