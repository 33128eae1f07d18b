// `c2i datasets` end to end through the real CLI: the list, a rendered named dataset with a template override, and the cloze file.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../checkpoint/cli.ts";
import { SKIP_REASONS } from "../../agent/demo/cloze/story-text.ts";
import { jsonl, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("datasets-cli");
afterAll(() => files.remove());

describe("c2i datasets", () => {
  it("lists every named dataset with protocol, expected file and template as JSON", async () => {
    const r = await runCli(["datasets", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; protocol: string; expects: string; template: string }[];
    expect(list.map((d) => d.name)).toContain("counterfact");
    expect(list).toHaveLength(11);
    const fever = list.find((d) => d.name === "fever")!;
    expect(fever.protocol).toBe("choice");
    expect(fever.expects).toMatch(/paper_dev\.jsonl/);
    expect(fever.template).toBe("Consider the following claim: {statement} Is this claim true or false. The claim is");
  });

  it("shows a named dataset's rows rendered with an overriding --template, and exits 2 naming file and line on a bad row", async () => {
    const path = files.write("dev.tsv", "sentence\tlabel\ngreat fun\t1\ndull\t0\n");
    const r = await runCli(["datasets", "show", `sst2:${path}`, "--template", "Review: {sentence}. Sentiment:", "--rows", "1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const shown = JSON.parse(r.stdout) as { rows: number; first: { prompt: string; label: number }[] };
    expect(shown.rows).toBe(2);
    expect(shown.first).toEqual([{ prompt: "Review: great fun. Sentiment:", choices: [" negative", " positive"], label: 1, line: 2 }]);
    const bad = files.write("paper_dev.jsonl", jsonl([{ id: 1, label: "SUPPORTS" }]));
    const e = await runCli(["datasets", "show", `fever:${bad}`]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(`DATASET_INVALID: ${bad}:1: missing field "claim"`);
  });

  it("writes the cloze task as JSONL", async () => {
    const out = join(files.dir, "cloze.jsonl");
    const r = await runCli(["datasets", "cloze", "--out", out, "--seed", "2", "--limit", "30", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, rows: 30, mode: "generative" });
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(30);
  });

  it("builds the cloze task from a --text file in the HF export format, reporting stories, skips and repaired mojibake", async () => {
    const text = files.write("export.txt", "Once upon a time, a cat sat on a warm mat.\n\nIt said: â€œI like the soft mat.â€\n\nOnce upon a time, a dog dug a deep hole.\n\nOnce upon a time there was a story without an end\n");
    const out = join(files.dir, "export.jsonl");
    const r = await runCli(["datasets", "cloze", "--out", out, "--text", text, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, mode: "generative", source: text, format: "hf-export", stories: 2, skipped: { [SKIP_REASONS.noSentence]: 1 }, mojibakeRepaired: 2 });
    expect(readFileSync(out, "utf8")).toContain("It said: “I like the");
    const lines = await runCli(["datasets", "cloze", "--out", out, "--text", text, "--text-format", "lines"]);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toMatch(/read as lines: 3 stories used, 1 skipped/);
    const bad = await runCli(["datasets", "cloze", "--out", out, "--text", text, "--text-format", "csv"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--text-format must be one of auto, lines, blocks, hf-export");
  });
});
