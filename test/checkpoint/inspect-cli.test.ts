// `c2i inspect` through the real CLI: JSON listing, human listing, and one error line with exit code 2 for damage.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { runCli } from "./cli.ts";
import { FakeHub } from "./hub-server.ts";
import { makeTempDir } from "./tmp.ts";

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir("c2i-inspect-");
  writeFileSync(join(tmp.dir, "config.json"), JSON.stringify({ model_type: "llama", architectures: ["LlamaForCausalLM"] }));
  writeCheckpoint(tmp.dir, [
    { name: "model.embed_tokens.weight", shape: [10, 4], data: new Float32Array(40) },
    { name: "model.norm.weight", shape: [4], data: new Float32Array(4), dtype: "BF16" },
  ]);
});
afterAll(() => tmp.remove());

describe("c2i inspect", () => {
  it("prints tensors, total parameters and model_type as JSON", async () => {
    const r = await runCli(["inspect", "--model", tmp.dir, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ modelType: "llama", parameters: 44, sharded: false, architectures: ["LlamaForCausalLM"] });
    expect(out.tensors).toEqual([
      { name: "model.embed_tokens.weight", dtype: "F32", shape: [10, 4] },
      { name: "model.norm.weight", dtype: "BF16", shape: [4] },
    ]);
  });

  it("prints a readable table without --json", async () => {
    const r = await runCli(["inspect", "--model", tmp.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("model_type: llama");
    expect(r.stdout).toMatch(/parameters: 44\b/);
    expect(r.stdout).toMatch(/model\.norm\.weight\s+BF16\s+\[4\]/);
  });

  it("a corrupt checkpoint prints exactly one error line naming the file and exits 2", async () => {
    const bad = makeTempDir("c2i-inspect-bad-");
    try {
      const bytes = readFileSync(join(tmp.dir, "model.safetensors"));
      writeFileSync(join(bad.dir, "model.safetensors"), bytes.subarray(0, bytes.length - 6));
      const r = await runCli(["inspect", "--model", bad.dir]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("CHECKPOINT_CORRUPT");
      expect(lines[0]).toContain(join(bad.dir, "model.safetensors"));
      expect(lines[0]).toContain("model.norm.weight");
    } finally {
      bad.remove();
    }
  });

  it("inspects a hub model: downloads hf:<org>/<name> into --cache-dir from --endpoint, token from HF_TOKEN", async () => {
    const files = new Map<string, Uint8Array>();
    for (const f of readdirSync(tmp.dir)) files.set(f, readFileSync(join(tmp.dir, f)));
    const hub = await FakeHub.start(new Map([["org/tiny", { commit: "c0ffee", files, lfs: new Set(["model.safetensors"]) }]]), { token: "t0k" });
    try {
      const cache = join(tmp.dir, "..", `${tmp.dir.split("/").pop()}-cache`);
      const r = await runCli(["inspect", "--model", "hf:org/tiny", "--cache-dir", cache, "--endpoint", hub.url, "--json"], { HF_TOKEN: "t0k" });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toMatchObject({ modelType: "llama", parameters: 44, path: join(cache, "models--org--tiny", "snapshots", "c0ffee", "model.safetensors") });
      const denied = await runCli(["inspect", "--model", "hf:org/tiny@other", "--cache-dir", cache, "--endpoint", hub.url], { HF_TOKEN: "" });
      expect(denied.code).toBe(2);
      expect(denied.stderr).toMatch(/^c2i inspect: UNAUTHENTICATED: .*token/);
      const { rmSync } = await import("node:fs");
      rmSync(cache, { recursive: true, force: true });
    } finally {
      await hub.close();
    }
  });
});
