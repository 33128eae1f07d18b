// One job, every path, the same numbers to the last bit: embedded on 1 and 2 local agents, on a cluster of two
// `c2i agent` processes through `c2i adapt --coordinator`, and `c2i eval`/`c2i score` on their own — on a
// GPT-2-shaped model (fused c_attn, Conv1D layout) with a choice task, whatever OpenBLAS kernel the machine uses
// (.ci/run repeats this file with OPENBLAS_CORETYPE flipped). Shapes and orders are fixed by construction: the
// job's batching travels with every shard, sample shards hold whole chunks, every process computes with one
// OpenBLAS thread, and a set's loss is the exact sum of its samples' losses.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";
import { writeChoiceTask, writeRandomCheckpoint } from "../layercache/fixtures.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { runC2i, startC2i, type C2iProcess } from "../fixtures/processes.ts";
import { writeGpt2Tokenizer } from "../tokenizers/fixtures.ts";

/** The byte-level tokenizer of writeGpt2Tokenizer: 256 bytes, 11 merges, <|endoftext|>. */
const VOCAB = 268;
// Test shards of 32 (the chunk) split the 70 test rows 32 + 32 + 6; the adaptation set is one shard of 40.
const SEARCH = ["--adapt-size", "40", "--test-size", "70", "--blocks", "1,2", "--top-m", "2", "--rates", "0.5,0.9"];

describe("one job's numbers on every path", () => {
  let root: string;
  let model: string;
  let dataset: string;
  let reference: ResultDocument;

  const adapt = async (name: string, extra: string[], env: Record<string, string> = {}): Promise<ResultDocument> => {
    const out = join(root, name);
    const r = await runC2i(["adapt", "--model", model, "--dataset", dataset, "--out", out, "--no-checkpoint", "--json", ...SEARCH, ...extra], { C2I_LOG_LEVEL: "warn", ...env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as ResultDocument;
  };

  beforeAll(async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "c2i-determinism-")));
    model = writeRandomCheckpoint(join(root, "gpt2"), { arch: "gpt2", layers: 2, hidden: 64, heads: 4, vocab: VOCAB, positions: 64 });
    writeGpt2Tokenizer(model);
    dataset = writeChoiceTask(join(root, "task.jsonl"), 240);
    reference = await adapt("agents-1", ["--agents", "1"]);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is the same on 1 and on 2 local agents", async () => {
    expect(reference.candidates.length).toBe(2 * 2 * 2);
    expect(resultNumbers(await adapt("agents-2", ["--agents", "2"]))).toEqual(resultNumbers(reference));
  });

  it("`c2i eval` gives the baseline's numbers on both sets, and `c2i score` the job's σ-gradient scores", async () => {
    const evaluate = async (split: string) => {
      const r = await runC2i(["eval", "--model", model, "--dataset", dataset, "--split", split, "--adapt-size", "40", "--test-size", "70", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const e = JSON.parse(r.stdout) as Record<string, number>;
      return { accuracy: e.accuracy, loss: e.loss, correct: e.correct, n: e.n };
    };
    // The search evaluated the test set in three shards and the adaptation set in one; `c2i eval` runs each as one.
    expect(await evaluate("test")).toEqual(reference.baseline.test);
    expect(await evaluate("adapt")).toEqual(reference.baseline.selection);

    const r = await runC2i(["score", "--model", model, "--dataset", dataset, "--split", "adapt", "--adapt-size", "40", "--blocks", "1,2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const scored = JSON.parse(r.stdout) as { loss: number; scores: { matrix: string; blocks: number; score: number }[] };
    expect(scored.loss).toBe(reference.gradientLoss);
    const key = (s: { matrix: string; blocks: number }) => `${s.matrix}/${s.blocks}`;
    const mine = new Map(scored.scores.map((s) => [key(s), s.score]));
    for (const s of reference.scores) expect(mine.get(key(s)), key(s)).toBe(s.score);
  });

  describe.skipIf(!NATS_SERVER_BIN)("on a cluster of `c2i agent` processes", () => {
    let nats: NatsServer;
    const processes: C2iProcess[] = [];

    beforeAll(async () => {
      nats = await NatsServer.start();
      const coordinator = await startC2i(["coordinator", "--nats", nats.url, "--listen", "127.0.0.1:0"]);
      processes.push(coordinator);
      for (const id of ["a1", "a2"]) {
        processes.push(await startC2i(["agent", "--nats", nats.url, "--roots", root, "--listen", "127.0.0.1:0", "--id", id, "--heartbeat-ms", "200"]));
      }
    });

    afterAll(async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await nats?.stop();
    });

    it("gives the embedded run's numbers through `c2i adapt --coordinator` on two agents", async () => {
      const address = String(processes[0]!.ready.listening);
      const clustered = await adapt("cluster", ["--coordinator", address]);
      // Versions (tfjs included) and warnings too: none, the agents compute alike.
      expect(resultNumbers(clustered)).toEqual(resultNumbers(reference));
      expect(clustered.versions).toMatchObject({ tfjs: expect.any(String), node: process.version });
      expect(clustered.warnings).toEqual([]);
    });
  });
});
