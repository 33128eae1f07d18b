// bench/fuzz/latest.md from a campaign's counts, CLI samples and server-process sample.
import type { SurfaceCounts } from "../../test/fuzz/campaign.ts";
import { BUG_KINDS } from "../../test/fuzz/surface.ts";
import type { CliSample } from "./cli-sample.ts";
import { FOUND } from "./found.ts";
import type { ServersSample } from "./servers-sample.ts";

export interface ReportInput {
  command: string;
  started: Date;
  load: number;
  cores: number;
  seed: number;
  runs: { counts: SurfaceCounts; seconds: number; workers: number }[];
  samples: CliSample[];
  servers?: ServersSample;
}

const codes = (r: Record<string, number>) =>
  Object.entries(r).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(", ") || "—";

/** Bugs of each kind, in BUG_KINDS order: crashes, wrong codes, hangs, writes on refusal, leaks. */
function kinds(c: SurfaceCounts): string[] {
  return BUG_KINDS.map((k) => {
    const n = c.bugs.filter((b) => b.bug === k).length;
    return n === 0 ? "0" : `**${n}**`;
  });
}

/** Every bug, one line each (at most 20 per surface), so a run that finds some says where to look. */
function bugList(runs: ReportInput["runs"]): string[] {
  const lines: string[] = [];
  for (const { counts: c } of runs) {
    for (const b of c.bugs.slice(0, 20)) {
      lines.push(`- ${c.surface}, ${b.index < 0 ? b.what : `input ${b.index}`} (${b.bug}): ${b.what && b.index >= 0 ? `${b.what.slice(0, 100)} → ` : ""}${b.reason.slice(0, 300)}`);
    }
    if (c.bugs.length > 20) lines.push(`- ${c.surface}: ${c.bugs.length - 20} more`);
  }
  return lines;
}

export function report(r: ReportInput): string {
  const total = r.runs.reduce((s, x) => s + x.counts.inputs, 0);
  const totalBugs = r.runs.reduce((s, x) => s + x.counts.bugs.length, 0);
  const out: string[] = [];
  out.push(
    "# Fuzz campaign",
    "",
    `\`${r.command}\` — seed ${r.seed}, ${r.started.toISOString()}, ${r.cores} cores (load ${r.load.toFixed(1)} at the start, shared with other work).`,
    "",
    "Every input is a seeded mutation of a valid one (reproducible from seed, surface and index: `test/fuzz/rng.ts`), fed to the real",
    "entry point in a worker process the runner kills if one input takes longer than the per-input limit. An input is **rejected** when it ends",
    "in one of the surface's documented codes (README, *Bad input*), **accepted** when the mutation happened to leave it valid, and a **bug**",
    "otherwise: another exception type (crash), another code or, over gRPC, a status without a c2i code or other than the one",
    "`proto/status.ts` maps the code to (wrong code), no answer in time (hang), a file written on refusal, a worker that died (crash) or did",
    "not exit, a server that stopped answering health checks or left its compute process behind (leaked).",
    "",
    `**${total} inputs over ${r.runs.length} surfaces, ${totalBugs} bugs.**`,
    "",
    "| surface | entry point | inputs | accepted | rejected (code: count) | crashes | wrong code | hangs | wrote on refusal | leaked | slowest input | wall time |",
    "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const { counts: c, seconds } of r.runs) {
    const rejected = Object.values(c.rejected).reduce((a, b) => a + b, 0);
    out.push(`| ${c.surface} | ${c.title.replaceAll("|", "\\|")} | ${c.inputs} | ${c.accepted} | ${rejected}: ${codes(c.rejected)} | ${kinds(c).join(" | ")} | ${Math.round(c.maxMs)} ms | ${seconds.toFixed(0)} s |`);
  }
  const found = bugList(r.runs);
  if (found.length > 0) out.push("", "## Bugs in this run", "", ...found);
  if (r.samples.length > 0) {
    out.push(
      "",
      "## Through the real CLI",
      "",
      "A spread of each surface's refused inputs, re-created from the seed and run as `node bin/c2i.mjs …` in its own process group: the",
      "command must exit 2 with one stderr line `c2i <command>: CODE: …` carrying a documented code, print nothing on stdout, write nothing,",
      "and leave no process in its group. (`c2i inspect` reads headers only, so what only `loadModel` refuses, e.g. SHAPE_MISMATCH, it accepts.)",
      "",
      "| surface | command | runs | exit 2, one line, documented code | same code as in-process | exit 0 (command reads less) | problems |",
      "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    );
    for (const s of r.samples) {
      out.push(`| ${s.surface} | \`${s.command}\` | ${s.runs} | ${s.oneLine} | ${s.sameCode} | ${s.acceptedByCommand} | ${s.problems.length === 0 ? "none" : s.problems.slice(0, 2).join("; ").replaceAll("|", "\\|")} |`);
    }
  }
  if (r.servers) {
    const s = r.servers;
    out.push(
      "",
      "## Real server processes",
      "",
      "The next inputs of the two gRPC surfaces sent to `c2i coordinator` and `c2i agent` processes (real NATS, the agent's compute child",
      "process computing valid shards), then one SIGTERM each.",
      "",
      "| surface | inputs | accepted | rejected (code: count) | crashes | wrong code | hangs | wrote on refusal | leaked |",
      "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
      ...s.counts.map((c) => `| ${c.surface} | ${c.inputs} | ${c.accepted} | ${codes(c.rejected)} | ${kinds(c).join(" | ")} |`),
      ...bugList(s.counts.map((counts) => ({ counts, seconds: 0, workers: 1 }))),
      "",
      `SIGTERM exits: coordinator ${s.exits.coordinator}, agent ${s.exits.agent}. ` +
        (s.problems.length === 0
          ? "Both answered health checks after the sample, and no process was left (the agent's compute child included)."
          : `Problems: ${s.problems.join("; ")}.`),
    );
  }
  out.push(
    "",
    "## Bugs the campaign found (fixed, each with a regression test)",
    "",
    "| surface | input | before | after | test |",
    "| --- | --- | --- | --- | --- |",
    ...FOUND.map((f) => `| ${f.surface} | ${f.input} | ${f.before} | ${f.after} | ${f.test} |`),
    "",
  );
  return out.join("\n");
}
