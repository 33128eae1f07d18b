// Layer-wise probing: per layer, a task probe and a control probe on the same split; selectivity = task − control.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { mulberry32, shuffleInPlace } from "../../common/random.ts";
import type { LanguageModel } from "../models/types.ts";
import type { Dataset } from "../tasks/dataset.ts";
import type { Tokenizer } from "../tokenizers/types.ts";
import { ControlKind, controlLabels } from "./control.ts";
import { probeFeatures, type FeatureOptions, type ProbeFeatures } from "./features.ts";
import { accuracy, macroF1 } from "./metrics.ts";
import { trainMlpProbe, type MlpProbeOptions } from "./mlp.ts";

export interface ProbeOptions extends FeatureOptions {
  /** Hidden-state indices to probe: 0 = embeddings, i = after layer i. @default all 0…L */
  layers?: number[];
  /** @default "type" */
  control?: ControlKind;
  /** Share of the rows the probes train on; the rest is where they are scored. @default 0.8 */
  trainShare?: number;
  /** Seeds the split, the control labels and the probes' weights. @default 0 */
  seed?: number;
  mlp?: MlpProbeOptions;
}

export interface ProbeScore {
  accuracy: number;
  f1: number;
}

export interface LayerProbe {
  layer: number;
  task: ProbeScore;
  control: ProbeScore;
  /** task accuracy − control accuracy (Hewitt & Liang) */
  selectivity: number;
}

export interface ProbeRun {
  layers: LayerProbe[];
  n: number;
  train: number;
  test: number;
  classes: number;
  control: ControlKind;
  /** Accuracy of always answering the most frequent training class, on the test rows. */
  majority: number;
}

/** Probes prepared features (so callers can probe one model state several ways). */
export function probeFromFeatures(f: ProbeFeatures, options: ProbeOptions = {}): ProbeRun {
  const seed = options.seed ?? 0;
  const control = options.control ?? ControlKind.type;
  const share = options.trainShare ?? 0.8;
  if (!(share > 0 && share < 1)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `probe train share ${share} must be in (0, 1)`);
  const order = shuffleInPlace(Array.from({ length: f.n }, (_, i) => i), mulberry32(seed ^ 0x5eed));
  const cut = Math.round(f.n * share);
  const train = order.slice(0, cut).sort((a, b) => a - b);
  const test = order.slice(cut).sort((a, b) => a - b);
  if (train.length === 0 || test.length === 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${f.n} samples are too few to split for probing; use more rows`);
  const controlY = controlLabels(f.labels, f.types, control, seed + 17);
  const layers = options.layers ?? f.layers.map((_, i) => i);
  const pick = (y: ArrayLike<number>) => test.map((i) => y[i]!);
  const gold = pick(f.labels);
  const controlGold = pick(controlY);
  const counts = new Map<number, number>();
  for (const i of train) counts.set(f.labels[i]!, (counts.get(f.labels[i]!) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  const out = layers.map((layer): LayerProbe => {
    const x = f.layers[layer];
    if (!x) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `layer ${layer} is outside 0…${f.layers.length - 1} (hidden states: embeddings, then one per layer)`);
    const mlp = { ...options.mlp, seed: (options.mlp?.seed ?? seed) + layer * 7 };
    const p = trainMlpProbe(x, f.hidden, f.labels, f.classes.length, train, mlp);
    const c = trainMlpProbe(x, f.hidden, controlY, f.classes.length, train, mlp);
    const [taskPredicted, controlPredicted] = [pick(p), pick(c)];
    const task = { accuracy: accuracy(gold, taskPredicted), f1: macroF1(gold, taskPredicted) };
    const ctl = { accuracy: accuracy(controlGold, controlPredicted), f1: macroF1(controlGold, controlPredicted) };
    return { layer, task, control: ctl, selectivity: task.accuracy - ctl.accuracy };
  });
  return { layers: out, n: f.n, train: train.length, test: test.length, classes: f.classes.length, control, majority: accuracy(gold, test.map(() => top)) };
}

export function probeModel(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: ProbeOptions = {}): ProbeRun {
  return probeFromFeatures(probeFeatures(model, tokenizer, dataset, indices, options), options);
}
