// The soak: a 2 models × 10 datasets sweep (20 jobs) on a coordinator with 4 agents, while an agent is killed -9 and
// restarted, the coordinator is killed -9 and restarted, and nats-server restarts (bench/soak/soak.ts).
// Run: npx tsx bench/soak/run.ts [--models 1|2] [--datasets 10] [--agents 4] [--keep DIR]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runSoak } from "./soak.ts";

const { values } = parseArgs({ options: { models: { type: "string" }, datasets: { type: "string" }, agents: { type: "string" }, keep: { type: "string" } } });
const root = values.keep ?? mkdtempSync(join(tmpdir(), "c2i-soak-"));
try {
  const r = await runSoak({
    root,
    models: values.models === "1" ? 1 : 2,
    datasets: Number(values.datasets ?? 10),
    agents: Number(values.agents ?? 4),
    log: (line) => console.error(line),
  });
  console.log(`| jobs | succeeded | identical to the reference | shard results stored / planned | coordinator RSS MiB (first / max / last) | sweep s | reference s |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
  console.log(`| ${r.jobs} | ${r.succeeded} | ${r.identical}${r.mismatched.length ? ` (differ: ${r.mismatched.join(", ")})` : ""} | ${r.shards.stored} / ${r.shards.planned}${r.shards.jobsWithMismatch.length ? ` (${r.shards.jobsWithMismatch.join(", ")})` : ""} | ${r.coordinatorRssMiB.first.toFixed(0)} / ${r.coordinatorRssMiB.max.toFixed(0)} / ${r.coordinatorRssMiB.last.toFixed(0)} | ${r.seconds.sweep.toFixed(0)} | ${r.seconds.reference.toFixed(0)} |`);
  console.log("\nfaults: " + r.faults.map((f) => `${f.at} s ${f.what}`).join("; "));
  process.exitCode = r.succeeded === r.jobs && r.mismatched.length === 0 && r.shards.stored === r.shards.planned ? 0 : 1;
} finally {
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}
