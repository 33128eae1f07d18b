// attention() and attentionFromQkv(): the fused kernel when registered (rotary embeddings included), the composite ops otherwise.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAttentionKernels } from "../../agent/compute/attention/register.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { blasMissing } from "../blas/backends.ts";
import { attention, attentionFromQkv, compositeAttention, QkvLayout, type AttentionInput } from "../../agent/models/blocks/attention.ts";
import { ropeTables, RopeStyle } from "../../agent/models/blocks/rope.ts";
import { silentLogger } from "../../common/log.ts";
import { ATTENTION_BACKENDS, biasFor, randomTensor, relativeError, useBlasBackend } from "./helpers.ts";


const B = 2;
const T = 5;
const positions = Int32Array.from({ length: B * T }, (_, i) => i % T);

/** Kernel names run by `f` (tf.profile), to see which path attention() took. */
async function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  const profile = await tf.profile(() => {
    f().dispose();
  });
  return profile.kernelNames;
}

describe.skipIf(blasMissing !== undefined).each(ATTENTION_BACKENDS)("attention() on the %s backend", (backend) => {
  beforeAll(async () => {
    expect(await useBlasBackend(backend)).toBe(true);
  });
  afterAll(() => {
    registerAttentionKernels(backend);
  });

  /** Fused vs composite values and gradients w.r.t. `sources`, for one attention call built from them. */
  function agree(sources: tf.Tensor[], call: (s: tf.Tensor[]) => tf.Tensor, reference: (s: tf.Tensor[]) => tf.Tensor): void {
    tf.tidy(() => {
      const weight = randomTensor(call(sources).shape, 4);
      const loss = (f: (s: tf.Tensor[]) => tf.Tensor) => (...s: tf.Tensor[]) => tf.sum(tf.mul(f(s), weight));
      expect(relativeError(call(sources), reference(sources))).toBeLessThan(2e-6);
      const got = tf.grads(loss(call))(sources);
      const want = tf.grads(loss(reference))(sources);
      got.forEach((g, i) => expect(relativeError(g, want[i]!)).toBeLessThan(2e-5));
    });
  }

  it("runs Llama-style rotate-half rope with grouped-query heads through the fused kernel, matching the composite ops", async () => {
    const H = 4, KV = 2, D = 6;
    const rope = ropeTables(positions, B, T, D, 500, RopeStyle.rotateHalf);
    const bias = biasFor(B, T, true);
    const base = (s: tf.Tensor[]): AttentionInput => ({ q: s[0] as tf.Tensor2D, k: s[1] as tf.Tensor2D, v: s[2] as tf.Tensor2D, batch: B, length: T, numHeads: H, numKvHeads: KV, headDim: D, bias, rope });
    const sources = [randomTensor([B * T, H * D], 1), randomTensor([B * T, KV * D], 2), randomTensor([B * T, KV * D], 3)];
    agree(sources, (s) => attention(base(s)), (s) => compositeAttention(base(s)));
    const names = await kernelsRun(() => attention(base(sources)));
    expect(names).toContain("C2iAttention");
    expect(names).not.toContain("Softmax");
    tf.dispose([...sources, bias, rope.cos, rope.sin, rope.rotate]);
  });

  it("runs GPT-J-style interleaved rope on part of each head through the fused kernel, matching the composite ops", () => {
    const H = 2, D = 8;
    const rope = ropeTables(positions, B, T, 4, 10000, RopeStyle.interleaved, undefined, D);
    const bias = biasFor(B, T, true);
    const base = (s: tf.Tensor[]): AttentionInput => ({ q: s[0] as tf.Tensor2D, k: s[1] as tf.Tensor2D, v: s[2] as tf.Tensor2D, batch: B, length: T, numHeads: H, numKvHeads: H, headDim: D, bias, rope });
    const sources = [1, 2, 3].map((seed) => randomTensor([B * T, H * D], seed));
    agree(sources, (s) => attention(base(s)), (s) => compositeAttention(base(s)));
    tf.dispose([...sources, bias, rope.cos, rope.sin, rope.rotate]);
  });

  it("reads a NeoX per-head q|k|v projection in place, slicing only q and k for partial rotary", async () => {
    const H = 2, D = 6;
    const rope = ropeTables(positions, B, T, 4, 10000, RopeStyle.rotateHalf, undefined, D);
    const bias = biasFor(B, T, true);
    const common = { batch: B, length: T, numHeads: H, numKvHeads: H, headDim: D, bias, rope };
    const split = (qkv: tf.Tensor) => {
      const per = tf.reshape(qkv, [B * T, H, 3 * D]);
      const part = (j: number) => tf.reshape(tf.slice(per, [0, 0, j * D], [B * T, H, D]), [B * T, H * D]) as tf.Tensor2D;
      return { q: part(0), k: part(1), v: part(2) };
    };
    const sources = [randomTensor([B * T, 3 * H * D], 8)];
    agree(
      sources,
      ([qkv]) => attentionFromQkv({ qkv: qkv as tf.Tensor2D, layout: QkvLayout.perHead, ...common }),
      ([qkv]) => compositeAttention({ ...split(qkv!), ...common }),
    );
    const names = await kernelsRun(() => attentionFromQkv({ qkv: sources[0] as tf.Tensor2D, layout: QkvLayout.perHead, ...common }));
    expect(names).toContain("C2iAttention");
    expect(names).not.toContain("Transpose");
    tf.dispose([...sources, bias, rope.cos, rope.sin, rope.rotate]);
  });

  it("reads a GPT-2 [q|k|v] projection with no split, slice or transpose at all", async () => {
    const H = 3, D = 4;
    const bias = biasFor(B, T, true);
    const common = { batch: B, length: T, numHeads: H, numKvHeads: H, headDim: D, bias };
    const sources = [randomTensor([B * T, 3 * H * D], 9)];
    const split = (qkv: tf.Tensor) => tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    agree(
      sources,
      ([qkv]) => attentionFromQkv({ qkv: qkv as tf.Tensor2D, layout: QkvLayout.blocks, ...common }),
      ([qkv]) => {
        const [q, k, v] = split(qkv!);
        return compositeAttention({ q, k, v, ...common });
      },
    );
    const names = await kernelsRun(() => attentionFromQkv({ qkv: sources[0] as tf.Tensor2D, layout: QkvLayout.blocks, ...common }));
    expect(names).toEqual(["C2iAttention"]);
    tf.dispose([...sources, bias]);
  });

  it("falls back to the composite ops once the fused kernels are unregistered (as with C2I_BLAS=off)", async () => {
    const H = 2, D = 4;
    const bias = biasFor(B, T, true);
    const qkv = randomTensor([B * T, 3 * H * D], 10) as tf.Tensor2D;
    const call = () => attentionFromQkv({ qkv, layout: QkvLayout.blocks, batch: B, length: T, numHeads: H, numKvHeads: H, headDim: D, bias });
    const fused = call();
    expect(registerAttentionKernels(backend, { enabled: false }).enabled).toBe(false);
    const names = await kernelsRun(call);
    expect(names).not.toContain("C2iAttention");
    expect(names).toContain("Softmax");
    const composite = call();
    expect(relativeError(fused, composite)).toBeLessThan(2e-6);
    expect(registerAttentionKernels(backend).enabled).toBe(true);
    tf.dispose([fused, composite, qkv, bias]);
  });

  it("is switched off with the BLAS kernels by the agent's backend selection (blas: off, i.e. C2I_BLAS=off)", async () => {
    await selectBackend({ prefer: backend, blas: "off", logger: silentLogger() });
    expect(tf.getKernel("C2iAttention", backend)).toBeUndefined();
    expect(await useBlasBackend(backend)).toBe(true);
  });
});
