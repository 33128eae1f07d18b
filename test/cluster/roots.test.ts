// Agents refuse model and dataset paths outside their roots: `..`, absolute elsewhere, symlinks out.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllowedRoots } from "../../agent/security/roots.ts";

describe("AllowedRoots", () => {
  let base: string;
  let root: string;
  let other: string;
  beforeAll(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), "c2i-roots-")));
    root = join(base, "root");
    other = join(base, "other");
    mkdirSync(join(root, "models", "tiny"), { recursive: true });
    mkdirSync(other);
    writeFileSync(join(root, "data.jsonl"), "{}\n");
    writeFileSync(join(other, "secret.jsonl"), "{}\n");
    symlinkSync(join(other, "secret.jsonl"), join(root, "escape.jsonl"));
    symlinkSync(join(root, "data.jsonl"), join(root, "alias.jsonl"));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("accepts relative and absolute paths under a root, returning the real path", () => {
    const roots = new AllowedRoots([root]);
    expect(roots.resolvePath("models/tiny", "model")).toBe(join(root, "models", "tiny"));
    expect(roots.resolvePath(join(root, "data.jsonl"), "dataset")).toBe(join(root, "data.jsonl"));
    expect(roots.resolvePath("alias.jsonl", "dataset")).toBe(join(root, "data.jsonl"));
  });

  it("refuses ../../etc/passwd with PATH_NOT_ALLOWED naming the path and the roots", () => {
    const roots = new AllowedRoots([root]);
    expect(() => roots.resolvePath("../../etc/passwd", "dataset")).toThrow(/PATH_NOT_ALLOWED|outside this agent's allowed roots/);
    try {
      roots.resolveDataset("../../etc/passwd");
    } catch (e) {
      expect(e).toMatchObject({ code: "PATH_NOT_ALLOWED" });
      expect((e as Error).message).toContain("../../etc/passwd");
      expect((e as Error).message).toContain(root);
    }
  });

  it("refuses an absolute path elsewhere, even one that does not exist", () => {
    const roots = new AllowedRoots([root]);
    expect(() => roots.resolvePath(join(other, "secret.jsonl"), "dataset")).toThrow(expect.objectContaining({ code: "PATH_NOT_ALLOWED" }));
    expect(() => roots.resolvePath("/nonexistent/x", "model")).toThrow(expect.objectContaining({ code: "PATH_NOT_ALLOWED" }));
  });

  it("refuses a symlink under the root that points outside", () => {
    const roots = new AllowedRoots([root]);
    expect(() => roots.resolvePath("escape.jsonl", "dataset")).toThrow(expect.objectContaining({ code: "PATH_NOT_ALLOWED" }));
  });

  it("reports a missing file under a root as NOT_FOUND", () => {
    const roots = new AllowedRoots([root]);
    expect(() => roots.resolvePath("models/none", "model")).toThrow(expect.objectContaining({ code: "NOT_FOUND" }));
  });

  it("checks the path behind a dataset format prefix and keeps the prefix", () => {
    const roots = new AllowedRoots([root]);
    expect(roots.resolveDataset("counterfact:data.jsonl")).toBe(`counterfact:${join(root, "data.jsonl")}`);
    expect(() => roots.resolveDataset(`counterfact:${join(other, "secret.jsonl")}`)).toThrow(expect.objectContaining({ code: "PATH_NOT_ALLOWED" }));
  });

  it("accepts hub ids but not ones that try to climb out of the cache", () => {
    const roots = new AllowedRoots([root, other]);
    expect(roots.resolveModel("hf:EleutherAI/gpt-j-6b")).toBe("hf:EleutherAI/gpt-j-6b");
    expect(() => roots.resolveModel("hf:../../etc")).toThrow(expect.objectContaining({ code: "PATH_NOT_ALLOWED" }));
    expect(() => new AllowedRoots([root], { hfCacheDir: join(base, "cache") })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("refuses to start without roots or with a root that does not exist", () => {
    expect(() => new AllowedRoots([])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => new AllowedRoots([join(base, "missing")])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
