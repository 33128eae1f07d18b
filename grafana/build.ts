// Writes grafana/dashboards/*.json from grafana/src (`npx tsx grafana/build.ts`); `--check` only reports drift.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dashboards, render } from "./src/dashboards.ts";

const dir = join(import.meta.dirname, "dashboards");
const check = process.argv.includes("--check");
let stale = 0;
for (const d of dashboards) {
  const path = join(dir, d.file);
  const text = render(d.build());
  let old = "";
  try {
    old = readFileSync(path, "utf8");
  } catch {
    // Missing file: written below, or reported as stale with --check.
  }
  if (old === text) continue;
  stale++;
  if (check) process.stderr.write(`${path} is out of date: run npx tsx grafana/build.ts\n`);
  else {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
