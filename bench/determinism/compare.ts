// How far apart two result.json files of the same job are, number by number: for comparing what legitimately
// differs (another OpenBLAS kernel family, backend or SVD), where every path on one kind of machine is identical.
// Run: npx c2i adapt … --out A (on one machine kind); the same job --out B (on another); then
//      npx tsx bench/determinism/compare.ts A/result.json B/result.json
import { readFileSync } from "node:fs";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";

const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB) throw new Error("usage: compare.ts A/result.json B/result.json");
const [a, b] = [fileA, fileB].map((f) => JSON.parse(readFileSync(f, "utf8")) as ResultDocument);

interface Worst {
  count: number;
  differ: number;
  maxRelative: number;
  where: string;
}
const groups = new Map<string, Worst>();

function walk(x: unknown, y: unknown, path: string): void {
  if (typeof x === "number" && typeof y === "number") {
    const group = path.replace(/\[\d+\]/g, "[]").replace(/^(versions|warnings).*/, "$1");
    const w = groups.get(group) ?? { count: 0, differ: 0, maxRelative: 0, where: "" };
    w.count++;
    if (x !== y) {
      w.differ++;
      const relative = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
      if (relative > w.maxRelative) Object.assign(w, { maxRelative: relative, where: `${path}: ${x} vs ${y}` });
    }
    groups.set(group, w);
    return;
  }
  if (x && y && typeof x === "object" && typeof y === "object") {
    for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], Array.isArray(x) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
  }
}

walk(resultNumbers(a), resultNumbers(b), "");
console.log(`A: ${fileA} (${a.agents.map((g) => g.backend).join(", ")})\nB: ${fileB} (${b.agents.map((g) => g.backend).join(", ")})`);
console.log(`chosen edit: ${JSON.stringify(a.chosen.candidate)} vs ${JSON.stringify(b.chosen.candidate)} — ${JSON.stringify(a.chosen.candidate) === JSON.stringify(b.chosen.candidate) ? "same" : "DIFFERENT"}`);
console.log("\n| numbers | count | differ | largest relative difference | where |\n| --- | --- | --- | --- | --- |");
for (const [group, w] of [...groups].sort()) {
  if (group.startsWith("settings") || (w.differ === 0 && !/loss|score|accuracy/.test(group))) continue;
  console.log(`| ${group} | ${w.count} | ${w.differ} | ${w.maxRelative.toExponential(2)} | ${w.where} |`);
}
