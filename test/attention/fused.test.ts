// The fused BLAS attention op against the composite tfjs ops: values and gradients, every operand layout, masks, GQA.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { fusedPart, headMajor, QkvLayout, tokenMajor, type OperandLayout } from "../../agent/compute/attention/layout.ts";
import { fusedAttention } from "../../agent/compute/attention/op.ts";
import { blasMissing } from "../blas/backends.ts";
import { compositeAttention } from "../../agent/models/blocks/attention.ts";
import { ATTENTION_BACKENDS, biasFor, randomTensor, relativeError, useBlasBackend } from "./helpers.ts";


type Kind = "blocks" | "perHead" | "separate" | "headMajor";

interface Case {
  name: string;
  kind: Kind;
  batch: number;
  length: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  causal: boolean;
  /** Bias [1, 1, T, T] shared by the batch instead of one per row. */
  sharedBias?: boolean;
}

const CASES: Case[] = [
  { name: "GPT-2 fused [q|k|v] blocks, causal + padding", kind: "blocks", batch: 2, length: 5, numHeads: 3, numKvHeads: 3, headDim: 6, causal: true },
  { name: "fused blocks with grouped-query heads (groups 2)", kind: "blocks", batch: 2, length: 5, numHeads: 4, numKvHeads: 2, headDim: 5, causal: true },
  { name: "NeoX per-head [q_h|k_h|v_h], headDim 3", kind: "perHead", batch: 2, length: 5, numHeads: 2, numKvHeads: 2, headDim: 3, causal: true },
  { name: "separate projections with grouped-query heads (groups 4)", kind: "separate", batch: 3, length: 4, numHeads: 4, numKvHeads: 1, headDim: 4, causal: true },
  { name: "separate projections with groups 2, bidirectional padding (padded keys)", kind: "separate", batch: 2, length: 6, numHeads: 4, numKvHeads: 2, headDim: 8, causal: false },
  { name: "4-D head-major [B, n, T, D] tensors, headDim 7", kind: "headMajor", batch: 2, length: 5, numHeads: 2, numKvHeads: 2, headDim: 7, causal: true },
  { name: "batch 1, one token", kind: "separate", batch: 1, length: 1, numHeads: 2, numKvHeads: 2, headDim: 3, causal: true },
  { name: "batch 1, one token, fused blocks", kind: "blocks", batch: 1, length: 1, numHeads: 2, numKvHeads: 1, headDim: 5, causal: true },
  { name: "a bias [1, 1, T, T] shared by the batch", kind: "blocks", batch: 3, length: 4, numHeads: 2, numKvHeads: 2, headDim: 4, causal: true, sharedBias: true },
];

interface Built {
  sources: tf.Tensor[];
  layouts: [OperandLayout, OperandLayout, OperandLayout];
  /** The same q, k, v as [B·T, n·D] tensors through differentiable tfjs ops, for the composite path. */
  split(sources: tf.Tensor[]): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
}

function build(c: Case, seed: number): Built {
  const { batch: B, length: T, numHeads: H, numKvHeads: KV, headDim: D } = c;
  const n = B * T;
  const heads = [H, KV, KV];
  if (c.kind === "blocks" || c.kind === "perHead") {
    const layout = c.kind === "blocks" ? QkvLayout.blocks : QkvLayout.perHead;
    const width = (H + 2 * KV) * D;
    const parts = ([0, 1, 2] as const).map((j) => fusedPart(layout, j, 0, T, H, KV, D)) as Built["layouts"];
    return {
      sources: [randomTensor([n, width], seed)],
      layouts: parts,
      split: ([qkv]) =>
        parts.map((l, j) => {
          if (layout === QkvLayout.blocks) return tf.slice(qkv as tf.Tensor2D, [0, l.offset], [n, heads[j]! * D]);
          const perHead = tf.reshape(qkv!, [n, H, 3 * D]);
          return tf.reshape(tf.slice(perHead, [0, 0, l.offset], [n, H, D]), [n, H * D]);
        }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
    };
  }
  if (c.kind === "separate") {
    return {
      sources: heads.map((h, j) => randomTensor([n, h * D], seed + j)),
      layouts: heads.map((h, j) => tokenMajor(j, T, h, D)) as Built["layouts"],
      split: (s) => s as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
    };
  }
  return {
    sources: heads.map((h, j) => randomTensor([B, h, T, D], seed + j)),
    layouts: heads.map((h, j) => headMajor(j, T, h, D)) as Built["layouts"],
    split: (s) => s.map((x, j) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [n, heads[j]! * D])) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
  };
}

describe.skipIf(blasMissing !== undefined).each(ATTENTION_BACKENDS)("fused attention on the %s backend with OpenBLAS", (backend) => {
  beforeAll(async () => {
    expect(await useBlasBackend(backend)).toBe(true);
  });

  describe.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const dims = { batch: c.batch, length: c.length, numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim };

    function run(built: Built, bias: tf.Tensor4D) {
      const fused = (...s: tf.Tensor[]) => fusedAttention({ sources: s, q: built.layouts[0], k: built.layouts[1], v: built.layouts[2], bias, ...dims });
      const composite = (...s: tf.Tensor[]) => {
        const [q, k, v] = built.split(s);
        return compositeAttention({ q, k, v, bias, ...dims });
      };
      return { fused, composite };
    }

    it("computes the same context as the composite ops", () => {
      tf.tidy(() => {
        const built = build(c, 7);
        const bias = c.sharedBias ? biasFor(1, c.length, c.causal) : biasFor(c.batch, c.length, c.causal);
        const { fused, composite } = run(built, bias);
        const out = fused(...built.sources);
        expect(out.shape).toEqual([c.batch * c.length, c.numHeads * c.headDim]);
        expect(relativeError(out, composite(...built.sources))).toBeLessThan(2e-6);
      });
    });

    it("gives the same input gradients as the composite ops (tf.grads)", () => {
      tf.tidy(() => {
        const built = build(c, 21);
        const bias = c.sharedBias ? biasFor(1, c.length, c.causal) : biasFor(c.batch, c.length, c.causal);
        const { fused, composite } = run(built, bias);
        const weight = randomTensor([c.batch * c.length, c.numHeads * c.headDim], 5);
        const loss = (f: (...s: tf.Tensor[]) => tf.Tensor) => (...s: tf.Tensor[]) => tf.sum(tf.mul(f(...s), weight));
        const got = tf.grads(loss(fused))(built.sources);
        const want = tf.grads(loss(composite))(built.sources);
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => {
          expect(g.shape).toEqual(built.sources[i]!.shape);
          expect(relativeError(g, want[i]!)).toBeLessThan(2e-5);
        });
      });
    });
  });

  it("leaves no tensor behind after a forward and a gradient pass", () => {
    const c = CASES[1]!;
    const built = build(c, 3);
    const bias = biasFor(c.batch, c.length, c.causal);
    const dims = { batch: c.batch, length: c.length, numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim };
    const before = tf.memory().numTensors;
    const f = (...s: tf.Tensor[]) => tf.tidy(() => tf.sum(fusedAttention({ sources: s, q: built.layouts[0], k: built.layouts[1], v: built.layouts[2], bias, ...dims })));
    tf.dispose([f(...built.sources), ...tf.grads(f)(built.sources)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...built.sources, bias]);
  });

  it("rejects a layout that reads past its tensor with SHAPE_MISMATCH naming the operand", () => {
    tf.tidy(() => {
      const x = randomTensor([8, 12], 1);
      const bias = biasFor(2, 4, true);
      const call = () =>
        fusedAttention({ sources: [x], q: tokenMajor(0, 4, 2, 6), k: tokenMajor(0, 4, 2, 6), v: { ...tokenMajor(0, 4, 2, 6), offset: 1 }, bias, batch: 2, length: 4, numHeads: 2, numKvHeads: 2, headDim: 6 });
      expect(call).toThrow(/SHAPE_MISMATCH|v reads element 96 of a 96-element tensor/);
      expect(call).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    });
  });
});
