// One surface's inputs in a child process of bench/fuzz/run.ts: one JSON line per input on stdout, so the parent can time out a hang.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runInput, teardownBug, type Bug } from "../../test/fuzz/campaign.ts";
import { surfaceNamed } from "../../test/fuzz/surfaces/index.ts";

const { values } = parseArgs({
  options: { surface: { type: "string" }, seed: { type: "string" }, start: { type: "string" }, end: { type: "string" }, "timeout-ms": { type: "string" } },
});
const surface = surfaceNamed(values.surface!);
const seed = Number(values.seed);
const timeoutMs = Number(values["timeout-ms"]);
const scratch = mkdtempSync(join(tmpdir(), `c2i-fuzz-${surface.name}-`));
const line = (o: unknown) => process.stdout.write(JSON.stringify(o) + "\n");

try {
  const setup = await surface.setup(join(scratch, "setup"));
  line({ ready: true });
  for (let i = Number(values.start); i < Number(values.end); i++) {
    line({ starting: i });
    line(await runInput(surface, setup, seed, i, scratch, timeoutMs));
  }
  let teardown: Bug | null = null;
  try {
    await surface.teardown?.(setup);
  } catch (e) {
    teardown = teardownBug(e);
  }
  line({ done: true, teardown });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// Servers and the compute child are closed by teardown; anything left would keep this process alive, which the parent reports.
