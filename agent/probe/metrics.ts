// Probe metrics: accuracy and macro-averaged F1 over the classes present in the gold labels.

export function accuracy(gold: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === predicted[i]) c++;
  return gold.length === 0 ? 0 : c / gold.length;
}

/** Mean over gold classes of 2·P·R / (P + R) (0 for a class never predicted correctly). */
export function macroF1(gold: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const classes = [...new Set(Array.from(gold))];
  if (classes.length === 0) return 0;
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (predicted[i] === c && gold[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (gold[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.length;
}
