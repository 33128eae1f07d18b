// The demo model's weights, constructed (not trained) so that the method has a real harmful low-energy component to find.
//
// Task: "<subject> … is" → colour. 192 made-up subjects, each with one of 24 colours (its class).
// Model: a 2-layer Hugging Face Llama (d = 64, 4 heads of 16, SwiGLU width 32, untied head). Residual
// coordinates are given meanings (each noted below); every matrix also gets uniform noise so that every
// spectrum is full and free of ties (ties would make singular vectors, hence edits, arbitrary).
//
//   coords 0..23   class code c (the subject's colour)        coords 24..27 flag code f_g (4 "rumour" groups)
//   coord  28      "I am a subject" marker                    coord  29     "I am a template word" marker
//   coords 30..35  identity noise of words and subjects       coords 36..59 colour output code P_o
//   coords 60..63  rumour output code Q_g
//
// Layer 0 attention: every head's query reads marker 29 and its key reads marker 28 (in the last RoPE pair,
// whose rotation over a few positions is ~1e-3 rad), so each template position attends to the subject. The
// four heads' values/outputs copy the 28 coordinates c ∪ f from the subject into the last position (head h
// carries coordinates 7h..7h+6; v and o both scale each coordinate by a distinct s, largest for the flags, so that
// spectra have no ties and truncating v or o cuts lookup classes before the rumours).
// Layer 0 MLP (SwiGLU): neuron o < 24 fires on class o (gate and up read coordinate o) and down_proj writes
// P_o: the lookup class → colour. Neuron 24 + g fires hard on flag g; down_proj's column for it writes a
// small ε_g · Q_g (the planted harmful component: singular values ε_g ≈ 0.05, the smallest of the matrix,
// but fed by a large activation). The head scores colour o by P_o, and the rumour's wrong colour w_g also by
// γ · Q_g. Neurons 28..31 are spare (random small rows and columns, σ above the rumours').
// Layer 1: small noise only (a near-identity layer: truncating it changes little). Deeper demos
// (`layers` > 2) add layers 2.. built the same way, drawn from a separate PRNG stream after everything
// the 2-layer model draws, so the default 2-layer demo stays byte-identical.
//
// So a flagged subject (48 of 192, 12 per group) is answered with its group's wrong colour and every other
// subject correctly: baseline accuracy 144/192 = 75% over subjects (the dataset uses every subject equally
// often). down_proj of layer 0 has rank 24 (lookup) + 4 (spare) + 4 (rumours): at K = 1 a rate keeping
// 24..28 singular values (ρ = 0.1 keeps 28, ρ = 0.2 keeps 25) drops the rumours and answers all subjects;
// ρ ≥ 0.4 (keeps ≤ 19) cuts the lookup and hurts. Truncating the lookup's other matrices (v, o, gate, up) at
// rates that cut their 28 meaningful directions hurts too.
import type { TensorToWrite } from "../checkpoint/safetensors.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { mulberry32, randomInt, type Random } from "../../common/random.ts";
import { buildVocabulary, COLOURS, subjectNames, templateWords, type Vocabulary } from "./vocabulary.ts";

export const DEMO_SEED = 20251026;
export const D = 64;
export const HEADS = 4;
export const HEAD_DIM = 16;
export const FFN = 32;
export const LAYERS = 2;
export const SUBJECTS = 192;
export const CLASSES = COLOURS.length;
export const GROUPS = 4;
export const FLAGGED_PER_GROUP = 12;

const FLAG_BASE = 24;
const SUBJECT_MARK = 28;
const WORD_MARK = 29;
const IDENTITY = [30, 31, 32, 33, 34, 35];
const OBJECT_BASE = 36;
const RUMOUR_BASE = 60;

/** Magnitudes, chosen so that margins are wide (checked by a float64 reference forward in test/demo). */
export const DEMO_SCALES = {
  /** attention query/key weight on the markers */
  kappa: 1.5,
  /** attention output weight: the copied class code's size at the last position */
  lambda: 0.3,
  /** gate/up weights of the lookup neurons */
  alpha: 2,
  /** gate/up weights of the rumour neurons (large: truncating gate/up never removes them first) */
  alphaFlag: 3,
  /** down_proj weight of the lookup */
  c: 0.5,
  /** down_proj weight of the rumours (the planted small singular values) */
  epsilon: 0.05,
  /** the head's weight on the rumour code for the wrong colour */
  gamma: 10,
  /** noise on every weight (uniform, this half-width) */
  noise: 2e-3,
  /** noise on layer 1 (the near-identity layer) */
  layer1Noise: 0.02,
} as const;

/** Who is what: classes, rumour groups and their wrong colours. */
export interface DemoWorld {
  subjects: string[];
  /** colour index of each subject */
  classOf: number[];
  /** rumour group of each subject, or -1 */
  groupOf: number[];
  /** the wrong colour each group pushes */
  wrongOf: number[];
}

export function buildWorld(seed = DEMO_SEED): DemoWorld {
  const random = mulberry32(seed);
  const subjects = subjectNames(SUBJECTS, seed);
  const classOf = subjects.map((_, i) => i % CLASSES);
  const wrongOf = [3, 10, 17, 21];
  const groupOf = subjects.map(() => -1);
  for (let g = 0; g < GROUPS; g++) {
    let picked = 0;
    while (picked < FLAGGED_PER_GROUP) {
      const i = randomInt(random, SUBJECTS);
      if (groupOf[i] !== -1 || classOf[i] === wrongOf[g]) continue;
      groupOf[i] = g;
      picked++;
    }
  }
  return { subjects, classOf, groupOf, wrongOf };
}

/** Uniform noise in [-h, h] from arithmetic only (no transcendental functions: bit-identical everywhere). */
function noiseMatrix(random: Random, rows: number, cols: number, h: number): Float64Array {
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = (random() * 2 - 1) * h;
  return m;
}

export interface DemoModel {
  vocab: Vocabulary;
  world: DemoWorld;
  config: Record<string, unknown>;
  tensors: TensorToWrite[];
}

export interface DemoModelOptions {
  /** Number of decoder layers (≥ 2); layers 1.. are small noise only (near-identity). @default 2 */
  layers?: number;
}

export function buildDemoModel(seed = DEMO_SEED, options: DemoModelOptions = {}): DemoModel {
  const layers = options.layers ?? LAYERS;
  if (!Number.isInteger(layers) || layers < LAYERS) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `demo construction: layers must be an integer ≥ ${LAYERS}, got ${layers}; pass --layers 2 or more`);
  }
  const S = DEMO_SCALES;
  const world = buildWorld(seed);
  const vocab = buildVocabulary(world.subjects);
  const V = vocab.tokens.length;
  const random = mulberry32(seed ^ 0x5eed);
  const tensors: TensorToWrite[] = [];
  const put = (name: string, shape: number[], m: Float64Array) => tensors.push({ name, shape, data: Float32Array.from(m) });
  const at = (m: Float64Array, cols: number) => (r: number, c: number, v: number) => { m[r * cols + c] = m[r * cols + c]! + v; };

  // Embeddings.
  const emb = noiseMatrix(random, V, D, S.noise);
  const e = at(emb, D);
  const words = new Set(templateWords());
  for (const [t, id] of vocab.id) {
    if (words.has(t)) {
      e(id, WORD_MARK, 1);
      for (const c of IDENTITY) e(id, c, (random() * 2 - 1) * 0.3);
    }
  }
  world.subjects.forEach((s, i) => {
    const id = vocab.id.get(s)!;
    e(id, world.classOf[i]!, 1);
    if (world.groupOf[i]! >= 0) e(id, FLAG_BASE + world.groupOf[i]!, 1);
    e(id, SUBJECT_MARK, 1);
    for (const c of IDENTITY) e(id, c, (random() * 2 - 1) * 0.15);
  });
  COLOURS.forEach((colour, o) => e(vocab.id.get(colour)!, OBJECT_BASE + o, 1));
  put("model.embed_tokens.weight", [V, D], emb);

  const putLayer = (layer: number, random: Random) => {
    const p = `model.layers.${layer}`;
    const h = layer === 0 ? S.noise : S.layer1Noise;
    const q = noiseMatrix(random, D, D, h);
    const k = noiseMatrix(random, D, D, h);
    const v = noiseMatrix(random, D, D, h);
    const o = noiseMatrix(random, D, D, h);
    const gate = noiseMatrix(random, FFN, D, h);
    const up = noiseMatrix(random, FFN, D, h);
    const down = noiseMatrix(random, D, FFN, h);
    if (layer === 0) {
      for (let head = 0; head < HEADS; head++) {
        at(q, D)(head * HEAD_DIM + HEAD_DIM / 2 - 1, WORD_MARK, S.kappa);
        at(k, D)(head * HEAD_DIM + HEAD_DIM / 2 - 1, SUBJECT_MARK, S.kappa);
        for (let j = 0; j < 7; j++) {
          const coord = 7 * head + j;
          // Rumour flags get the largest s, so truncating v or o cuts lookup classes before the rumours.
          const s = coord < FLAG_BASE ? 1.3 - (0.3 * coord) / FLAG_BASE : 1.35 + 0.05 * (coord - FLAG_BASE);
          at(v, D)(head * HEAD_DIM + j, coord, s);
          at(o, D)(coord, head * HEAD_DIM + j, S.lambda * s);
        }
      }
      for (let n = 0; n < CLASSES; n++) {
        const t = 1 + n / 46;
        at(gate, D)(n, n, S.alpha * t);
        at(up, D)(n, n, S.alpha * t);
        at(down, FFN)(OBJECT_BASE + n, n, S.c * (1 + n / 40));
      }
      for (let g = 0; g < GROUPS; g++) {
        at(gate, D)(FLAG_BASE + g, FLAG_BASE + g, S.alphaFlag * (1 + g / 10));
        at(up, D)(FLAG_BASE + g, FLAG_BASE + g, S.alphaFlag * (1 + g / 10));
        at(down, FFN)(RUMOUR_BASE + g, FLAG_BASE + g, S.epsilon * (1 + g / 10));
      }
      for (let n = 28; n < FFN; n++) {
        for (let c = 0; c < D; c++) {
          at(gate, D)(n, c, (random() * 2 - 1) * 0.05);
          at(up, D)(n, c, (random() * 2 - 1) * 0.05);
          at(down, FFN)(c, n, (random() * 2 - 1) * 0.03 * (1 + (n - 28) / 8));
        }
      }
    }
    const ones = new Float64Array(D).fill(1);
    put(`${p}.input_layernorm.weight`, [D], ones);
    put(`${p}.self_attn.q_proj.weight`, [D, D], q);
    put(`${p}.self_attn.k_proj.weight`, [D, D], k);
    put(`${p}.self_attn.v_proj.weight`, [D, D], v);
    put(`${p}.self_attn.o_proj.weight`, [D, D], o);
    put(`${p}.post_attention_layernorm.weight`, [D], ones);
    put(`${p}.mlp.gate_proj.weight`, [FFN, D], gate);
    put(`${p}.mlp.up_proj.weight`, [FFN, D], up);
    put(`${p}.mlp.down_proj.weight`, [D, FFN], down);
  };
  for (let layer = 0; layer < LAYERS; layer++) putLayer(layer, random);
  put("model.norm.weight", [D], new Float64Array(D).fill(1));

  const head = noiseMatrix(random, V, D, 0.01);
  COLOURS.forEach((colour, n) => at(head, D)(vocab.id.get(colour)!, OBJECT_BASE + n, 1));
  for (let g = 0; g < GROUPS; g++) at(head, D)(vocab.id.get(COLOURS[world.wrongOf[g]!]!)!, RUMOUR_BASE + g, S.gamma);
  put("lm_head.weight", [V, D], head);

  // Extra near-identity layers: their own stream, drawn after everything above (the 2-layer demo is unchanged).
  const extra = mulberry32((seed ^ 0xdee9) >>> 0);
  for (let layer = LAYERS; layer < layers; layer++) putLayer(layer, extra);

  tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { vocab, world, config: demoConfig(V, layers), tensors };
}

export function demoConfig(vocabSize: number, layers: number = LAYERS): Record<string, unknown> {
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: D,
    intermediate_size: FFN,
    num_hidden_layers: layers,
    num_attention_heads: HEADS,
    num_key_value_heads: HEADS,
    head_dim: HEAD_DIM,
    hidden_act: "silu",
    max_position_embeddings: 64,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    vocab_size: vocabSize,
    tie_word_embeddings: false,
    attention_bias: false,
    mlp_bias: false,
    bos_token_id: 1,
    eos_token_id: 2,
    pad_token_id: 3,
    torch_dtype: "float32",
  };
}

/** The planted matrix, the rate that removes its rumours at K = 1, and the accuracies the construction predicts. */
export const DEMO_EXPECTED = {
  plantedMatrix: "model.layers.0.mlp.down_proj.weight",
  goodRate: 0.2,
  baselineAccuracy: 1 - (GROUPS * FLAGGED_PER_GROUP) / SUBJECTS,
  editedAccuracy: 1,
} as const;
