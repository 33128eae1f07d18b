// Hub downloads against a real local HTTP server: redirects, resume after a dropped connection, checksums, cache, auth.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { C2iError } from "../../common/errors.ts";
import { parseHubRef, resolveModelRef } from "../../agent/checkpoint/hub.ts";
import { openCheckpoint, writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { FakeHub, type FakeRepo } from "./hub-server.ts";
import { makeTempDir } from "./tmp.ts";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** A tiny real checkpoint (a few hundred KB so the drop happens mid-stream) as served files. */
function tinyRepo(dir: string, sharded = false): FakeRepo {
  const data = Float32Array.from({ length: 40_000 }, (_, i) => Math.sin(i));
  writeCheckpoint(join(dir, "src"), [
    { name: "w1", shape: [200, 100], data: data.subarray(0, 20_000) },
    { name: "w2", shape: [200, 100], data: data.subarray(20_000) },
  ], sharded ? { maxShardBytes: 100_000 } : {});
  const files = new Map<string, Uint8Array>();
  for (const f of readdirSync(join(dir, "src"))) files.set(f, readFileSync(join(dir, "src", f)));
  files.set("config.json", new TextEncoder().encode('{"model_type":"llama"}'));
  files.set("README.md", new TextEncoder().encode("not downloaded"));
  files.set("pytorch_model.bin", new Uint8Array(10));
  return { commit: COMMIT, files, lfs: new Set([...files.keys()].filter((f) => f.endsWith(".safetensors"))) };
}

let tmp: ReturnType<typeof makeTempDir>;
let hub: FakeHub | undefined;
beforeEach(() => {
  tmp = makeTempDir("c2i-hub-");
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  tmp.remove();
});

async function expectCode(p: Promise<unknown>, code: string, ...fragments: string[]): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, "expected a rejection").toBeInstanceOf(C2iError);
  expect((e as C2iError).code).toBe(code);
  for (const f of fragments) expect((e as C2iError).message).toContain(f);
}

describe("model references", () => {
  it("parses hf:<org>/<name>[@revision] and rejects malformed ones", () => {
    expect(parseHubRef("hf:org/name")).toEqual({ repo: "org/name", revision: "main" });
    expect(parseHubRef("hf:Org-1/tiny.model_2@v1.0")).toEqual({ repo: "Org-1/tiny.model_2", revision: "v1.0" });
    expect(parseHubRef("/models/gpt2")).toBeNull();
    for (const bad of ["hf:noslash", "hf:a/b/c", "hf:../x", "hf:a/..", "hf:a/b@"]) expect(() => parseHubRef(bad), bad).toThrow(C2iError);
  });

  it("returns an existing local path as-is and rejects a missing one", async () => {
    expect(await resolveModelRef(tmp.dir)).toBe(tmp.dir);
    await expectCode(resolveModelRef(join(tmp.dir, "nope")), "NOT_FOUND", "nope");
  });
});

describe("hub download", () => {
  it("follows the redirect, resumes a dropped download with Range, verifies sha256 and opens the result", async () => {
    const repo = tinyRepo(tmp.dir);
    hub = await FakeHub.start(new Map([["org/tiny", repo]]), { dropOnce: new Set(["model.safetensors"]) });
    const cacheDir = join(tmp.dir, "cache");
    const dir = await resolveModelRef("hf:org/tiny", { cacheDir, endpoint: hub.url, retryDelayMs: 0 });
    expect(dir).toBe(join(cacheDir, "models--org--tiny", "snapshots", COMMIT));
    expect(readdirSync(dir).sort()).toEqual([".c2i-complete", "config.json", "model.safetensors"]);
    expect(readFileSync(join(dir, "model.safetensors"))).toEqual(Buffer.from(repo.files.get("model.safetensors")!));
    const tries = hub.cdnRequests("model.safetensors");
    expect(tries).toHaveLength(2);
    expect(tries[0]!.range).toBeUndefined();
    const resumedAt = Number(/bytes=(\d+)-/.exec(tries[1]!.range ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(repo.files.get("model.safetensors")!.length);
    const ckpt = openCheckpoint(dir);
    expect(ckpt.readF32("w2")[5]).toBe(Math.fround(Math.sin(20_005)));
    ckpt.close();
    expect(readFileSync(join(cacheDir, "models--org--tiny", "refs", "main"), "utf8")).toBe(COMMIT);
  });

  it("serves a second resolve from the cache without downloading again, and falls back to it when the hub is down", async () => {
    hub = await FakeHub.start(new Map([["org/tiny", tinyRepo(tmp.dir)]]));
    const options = { cacheDir: join(tmp.dir, "cache"), endpoint: hub.url, retryDelayMs: 0 };
    const first = await resolveModelRef("hf:org/tiny", options);
    const second = await resolveModelRef("hf:org/tiny@main", options);
    expect(second).toBe(first);
    expect(hub.cdnRequests("model.safetensors")).toHaveLength(1);
    const byCommit = await resolveModelRef(`hf:org/tiny@${COMMIT}`, options);
    expect(byCommit).toBe(first);
    await hub.close();
    hub = undefined;
    expect(await resolveModelRef("hf:org/tiny", options)).toBe(first);
  });

  it("downloads a sharded checkpoint: the index, then exactly the shards it names", async () => {
    const repo = tinyRepo(tmp.dir, true);
    hub = await FakeHub.start(new Map([["org/sharded", repo]]));
    const dir = await resolveModelRef("hf:org/sharded", { cacheDir: join(tmp.dir, "cache"), endpoint: hub.url, retryDelayMs: 0 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".safetensors")).sort()).toEqual(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]);
    const ckpt = openCheckpoint(dir);
    expect(ckpt.names()).toEqual(["w1", "w2"]);
    ckpt.close();
  });

  it("fails a corrupted file on its checksum, deletes the .part and installs nothing", async () => {
    const repo = tinyRepo(tmp.dir);
    const good = repo.files.get("model.safetensors")!;
    const bad = Uint8Array.from(good);
    bad[bad.length - 3] ^= 0xff;
    repo.advertised = new Map([["model.safetensors", good]]);
    repo.files.set("model.safetensors", bad);
    hub = await FakeHub.start(new Map([["org/tiny", repo]]));
    const cacheDir = join(tmp.dir, "cache");
    await expectCode(resolveModelRef("hf:org/tiny", { cacheDir, endpoint: hub.url, retryDelayMs: 0 }), "DOWNLOAD_FAILED", "sha256", "model.safetensors");
    const snap = join(cacheDir, "models--org--tiny", "snapshots", COMMIT);
    expect(readdirSync(snap).filter((f) => f.includes("model.safetensors"))).toEqual([]);
    expect(existsSync(join(snap, ".c2i-complete"))).toBe(false);
  });

  it("verifies small non-LFS files by their git blob id", async () => {
    const repo = tinyRepo(tmp.dir);
    repo.advertised = new Map([["config.json", new TextEncoder().encode('{"model_type":"gpt2"}')]]);
    hub = await FakeHub.start(new Map([["org/tiny", repo]]));
    await expectCode(resolveModelRef("hf:org/tiny", { cacheDir: join(tmp.dir, "cache"), endpoint: hub.url, retryDelayMs: 0 }), "DOWNLOAD_FAILED", "config.json");
  });

  it("sends the token, and says what to do when the hub refuses or does not know the repo", async () => {
    hub = await FakeHub.start(new Map([["org/tiny", tinyRepo(tmp.dir)]]), { token: "s3cret" });
    const base = { cacheDir: join(tmp.dir, "cache"), endpoint: hub.url, retryDelayMs: 0 };
    await expectCode(resolveModelRef("hf:org/tiny", base), "UNAUTHENTICATED", "token");
    const dir = await resolveModelRef("hf:org/tiny", { ...base, token: "s3cret" });
    expect(existsSync(join(dir, "model.safetensors"))).toBe(true);
    expect(hub.requests.filter((r) => r.path.startsWith("/api/")).at(-1)!.auth).toBe("Bearer s3cret");
    expect(hub.requests.filter((r) => r.path.startsWith("/cdn/")).every((r) => r.auth === undefined)).toBe(true);
    await expectCode(resolveModelRef("hf:org/other", { ...base, token: "s3cret" }), "NOT_FOUND", "hf:org/other");
  });

  it("resumes a .part left by an earlier interrupted run", async () => {
    const repo = tinyRepo(tmp.dir);
    hub = await FakeHub.start(new Map([["org/tiny", repo]]));
    const cacheDir = join(tmp.dir, "cache");
    const snap = join(cacheDir, "models--org--tiny", "snapshots", COMMIT);
    const full = repo.files.get("model.safetensors")!;
    const { mkdirSync } = await import("node:fs");
    mkdirSync(snap, { recursive: true });
    writeFileSync(join(snap, "model.safetensors.part"), full.subarray(0, 1000));
    await resolveModelRef("hf:org/tiny", { cacheDir, endpoint: hub.url, retryDelayMs: 0 });
    expect(hub.cdnRequests("model.safetensors").map((r) => r.range)).toEqual(["bytes=1000-"]);
    expect(readFileSync(join(snap, "model.safetensors"))).toEqual(Buffer.from(full));
  });

  it("two concurrent resolves of the same model download each file once", async () => {
    const repo = tinyRepo(tmp.dir);
    hub = await FakeHub.start(new Map([["org/tiny", repo]]));
    const options = { cacheDir: join(tmp.dir, "cache"), endpoint: hub.url, retryDelayMs: 0 };
    const [a, b] = await Promise.all([resolveModelRef("hf:org/tiny", options), resolveModelRef("hf:org/tiny", options)]);
    expect(a).toBe(b);
    expect(hub.cdnRequests("model.safetensors")).toHaveLength(1);
    expect(readdirSync(a).filter((f) => f.endsWith(".lock") || f.endsWith(".part"))).toEqual([]);
    expect(readFileSync(join(a, "model.safetensors"))).toEqual(Buffer.from(repo.files.get("model.safetensors")!));
  });

  it("takes over a lock left by a process that died", async () => {
    hub = await FakeHub.start(new Map([["org/tiny", tinyRepo(tmp.dir)]]));
    const cacheDir = join(tmp.dir, "cache");
    const snap = join(cacheDir, "models--org--tiny", "snapshots", COMMIT);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(snap, { recursive: true });
    writeFileSync(join(snap, "model.safetensors.lock"), "99999999"); // no such pid
    const dir = await resolveModelRef("hf:org/tiny", { cacheDir, endpoint: hub.url, retryDelayMs: 0 });
    expect(existsSync(join(dir, "model.safetensors"))).toBe(true);
    expect(existsSync(join(dir, "model.safetensors.lock"))).toBe(false);
  });
});
