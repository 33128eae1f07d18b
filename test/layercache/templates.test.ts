// Job-spec prompt templates (task.template) reach the named dataset loader, key the dataset cache, and work from the CLI.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import type { Svd } from "../../agent/linalg/svd/types.ts";
import { loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import { silentLogger } from "../../common/log.ts";
import type { EvaluateResult, PrepareResult, WorkRef } from "../../common/shards.ts";

let root = "";
let svd: Svd;
let demo: { model: string; dataset: string };
/** The first demo rows as ROME-style CounterFact records: the prompt is the subject, no paraphrases. */
let counterfact = "";

beforeAll(async () => {
  await selectBackend({ prefer: "wasm", blas: "off", logger: silentLogger() });
  svd = selectSvd({ prefer: "auto" });
  root = mkdtempSync(join(tmpdir(), "c2i-templates-"));
  demo = writeDemo(join(root, "demo"));
  const rows = readFileSync(demo.dataset, "utf8").trim().split("\n").slice(0, 16).map((l) => JSON.parse(l) as { prompt: string; answer: string });
  counterfact = join(root, "counterfact.json");
  writeFileSync(counterfact, JSON.stringify(rows.map((r) => ({ requested_rewrite: { prompt: "{}", subject: r.prompt, target_true: { str: r.answer } }, paraphrase_prompts: [] }))));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const ref = (jobId: string, template?: string): WorkRef => ({ jobId, model: demo.model, dataset: `counterfact:${counterfact}`, ...(template === undefined ? {} : { task: { template } }) });
const samples = { name: "all", indices: Array.from({ length: 16 }, (_, i) => i) };

describe("prompt templates from the job spec", () => {
  it("load the dataset with the job's template, sharing it only between jobs with the same reference and template", async () => {
    const loads: [string, string | undefined][] = [];
    const ex = new ShardExecutor({
      svd,
      maxJobs: 8,
      loadDataset: (r, template) => {
        loads.push([r, template]);
        return loadDataset(r, undefined, template === undefined ? {} : { template });
      },
    });
    try {
      for (const [id, t] of [["a", "{question}"], ["b", "{question}"], ["c", "so {question}"], ["d", undefined]] as const) {
        await ex.run({ kind: "prepare", shardId: `p-${id}`, ref: ref(id, t) });
      }
      expect(loads).toEqual([[`counterfact:${counterfact}`, "{question}"], [`counterfact:${counterfact}`, "so {question}"], [`counterfact:${counterfact}`, undefined]]);
      await expect(ex.run({ kind: "prepare", shardId: "p-a2", ref: ref("a", "so {question}") })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: /template/ });
    } finally {
      await ex.close();
    }
  });

  it("change what is evaluated through the default loader: the default template equals none, another one differs", async () => {
    const ex = new ShardExecutor({ svd });
    try {
      const run = async (id: string, t?: string) => ((await ex.run({ kind: "evaluate", shardId: `e-${id}`, ref: ref(id, t), samples, candidates: [null] })) as EvaluateResult).evaluations[0]!;
      const none = await run("none");
      const same = await run("same", "{question}");
      const other = await run("other", "so {question}");
      expect(same).toEqual(none);
      expect(other.loss).not.toBeCloseTo(none.loss, 6);
      expect(((await ex.run({ kind: "prepare", shardId: "p", ref: ref("same", "{question}") })) as PrepareResult).rows).toBe(16);
    } finally {
      await ex.close();
    }
  });

  it("refuses a template on a JSONL dataset, naming the file and what to do", async () => {
    const ex = new ShardExecutor({ svd });
    try {
      await expect(ex.run({ kind: "prepare", shardId: "p", ref: { jobId: "j", model: demo.model, dataset: demo.dataset, task: { template: "{question}" } } }))
        .rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/named datasets.*dataset\.jsonl.*final prompts/) });
    } finally {
      await ex.close();
    }
  });

  it("`c2i eval --template` maps to task.template", { timeout: 180_000 }, () => {
    const env = { ...process.env, C2I_BACKEND: "wasm", C2I_BLAS: "off", C2I_LOG_LEVEL: "silent" };
    const evalJson = (...extra: string[]) => {
      const r = spawnSync(process.execPath, ["bin/c2i.mjs", "eval", "--model", demo.model, "--dataset", `counterfact:${counterfact}`, "--split", "all", "--json", ...extra], { env, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { loss: number; n: number };
    };
    const plain = evalJson();
    const templated = evalJson("--template", "so {question}");
    expect(templated.n).toBe(plain.n);
    expect(templated.loss).not.toBeCloseTo(plain.loss, 6);
    const bad = spawnSync(process.execPath, ["bin/c2i.mjs", "eval", "--model", demo.model, "--dataset", demo.dataset, "--template", "{question}", "--json"], { env, encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT|named datasets/);
  });
});
