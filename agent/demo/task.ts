// The demo's JSONL task: every subject in every template, in a seeded order (so LASER's first-20% split is fair).
import { mulberry32, shuffleInPlace } from "../../common/random.ts";
import { COLOURS, TEMPLATES } from "./vocabulary.ts";
import type { DemoWorld } from "./construction.ts";

export interface DemoRow {
  prompt: string;
  answer: string;
}

/** 192 subjects × 7 templates = 1344 rows, each subject equally often. */
export function buildDemoRows(world: DemoWorld, seed: number): DemoRow[] {
  const rows: DemoRow[] = [];
  world.subjects.forEach((s, i) => {
    for (const t of TEMPLATES) rows.push({ prompt: t.replace("{s}", s), answer: COLOURS[world.classOf[i]!]! });
  });
  return shuffleInPlace(rows, mulberry32(seed ^ 0x7a5c));
}

export function demoJsonl(rows: readonly DemoRow[]): string {
  return rows.map((r) => JSON.stringify({ prompt: r.prompt, answer: r.answer })).join("\n") + "\n";
}
