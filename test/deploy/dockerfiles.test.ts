// The Dockerfiles build what the code needs: pinned bases (CUDA/cuDNN matching tfjs-node-gpu's libtensorflow),
// native libraries for agents, sources that the per-Dockerfile .dockerignore lets through, env the command reads.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandEnv, FOREIGN_ENV, portOf, REPO } from "./cli-env.ts";
import { DEPLOY, dockerfile, finalStageEnv, imageCommand } from "./deploy-files.ts";

const FILES = ["coordinator", "agent-cpu", "agent-gpu"] as const;
const path = (f: string) => join(DEPLOY, "docker", `${f}.Dockerfile`);
const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };

/** tfjs-node-gpu release line → the CUDA / cuDNN its bundled libtensorflow was built against. */
const TFJS_GPU_CUDA: Record<string, { cuda: string; cudnn: string; libtensorflow: string }> = {
  "4.22": { cuda: "11.2", cudnn: "8", libtensorflow: "2.9.1" },
};

/** Whether an allowlist-style .dockerignore ("*" then "!path" lines) sends `source` to the build. */
function included(ignore: string, source: string): boolean {
  const allow = ignore.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
  return allow.some((a) => source === a || source.startsWith(a + "/"));
}

describe("Dockerfiles", () => {
  it.each(FILES)("%s: pinned bases, sources that exist and pass its .dockerignore, env the command reads", (f) => {
    const ins = dockerfile(path(f));
    for (const from of ins.filter((i) => i.op === "FROM")) expect(from.args, f).toMatch(/^[\w./-]+:\d[\w.-]*( AS \w+)?$/i);
    const ignore = readFileSync(`${path(f)}.dockerignore`, "utf8");
    expect(ignore.split("\n")).toContain("*");
    for (const copy of ins.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const s of sources) {
        expect(existsSync(join(REPO, s)), `${f}: COPY ${s}`).toBe(true);
        expect(included(ignore, s), `${f}: COPY ${s} is excluded by its .dockerignore`).toBe(true);
      }
    }
    const command = imageCommand(ins);
    const env = finalStageEnv(ins);
    const known = commandEnv(command);
    for (const k of env.keys()) expect(known.has(k) || FOREIGN_ENV.has(k), `${f}: ENV ${k} not read by c2i ${command}`).toBe(true);
    const exposed = ins.filter((i) => i.op === "EXPOSE").flatMap((i) => i.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual([portOf(env.get("C2I_LISTEN")!), portOf(env.get("C2I_METRICS")!)].sort());
    expect(env.get("C2I_LISTEN")).toMatch(/^0\.0\.0\.0:/);
    expect(ins.some((i) => i.op === "USER"), `${f} runs as a non-root user`).toBe(true);
  });

  it("run c2i coordinator in the coordinator image and c2i agent in both agent images", () => {
    expect(imageCommand(dockerfile(path("coordinator")))).toBe("coordinator");
    expect(imageCommand(dockerfile(path("agent-cpu")))).toBe("agent");
    expect(imageCommand(dockerfile(path("agent-gpu")))).toBe("agent");
  });

  it("install LAPACKE and pthreads OpenBLAS in agent images, on Node 20 / Debian bookworm for CPU", () => {
    for (const f of ["agent-cpu", "agent-gpu"]) {
      const runs = dockerfile(path(f)).filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
      expect(runs, f).toMatch(/apt-get install[^\n]*\bliblapacke\b/);
      expect(runs, f).toMatch(/apt-get install[^\n]*\blibopenblas0-pthread\b/);
    }
    for (const f of ["coordinator", "agent-cpu"]) {
      for (const from of dockerfile(path(f)).filter((i) => i.op === "FROM")) expect(from.args).toMatch(/^node:20\.[\d.]+-bookworm-slim\b/);
    }
  });

  it("base the GPU image on the CUDA + cuDNN that the locked tfjs-node-gpu's libtensorflow needs, with allow-growth", () => {
    const installed = lock.packages["node_modules/@tensorflow/tfjs-node-gpu"]!.version;
    const line = installed.split(".").slice(0, 2).join(".");
    const want = TFJS_GPU_CUDA[line];
    expect(want, `tfjs-node-gpu ${installed} is not in the CUDA table: check its libtensorflow and update the GPU base`).toBeDefined();
    const ins = dockerfile(path("agent-gpu"));
    const cudaBases = ins.filter((i) => i.op === "FROM" && i.args.startsWith("nvidia/cuda:"));
    expect(cudaBases.length).toBeGreaterThan(0);
    for (const b of cudaBases) expect(b.args).toMatch(new RegExp(`^nvidia/cuda:${want!.cuda.replace(".", "\\.")}\\.\\d+-cudnn${want!.cudnn}-runtime-ubuntu`));
    expect(ins.at(-1 - [...ins].reverse().findIndex((i) => i.op === "FROM"))!.args).toMatch(/^nvidia\/cuda:/);
    const runs = ins.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
    expect(runs).toContain("npm rebuild @tensorflow/tfjs-node-gpu");
    expect(runs).toContain(`libtensorflow.so.${want!.libtensorflow}`);
    const env = finalStageEnv(ins);
    expect(env.get("TF_FORCE_GPU_ALLOW_GROWTH")).toBe("true");
    expect(env.get("C2I_BACKEND")).toBe("tensorflow-gpu");
  });
});

/** [source, destination] of the final stage's COPY instructions from the build context. */
function contextCopies(f: string): [string, string][] {
  const ins = dockerfile(path(f));
  const last = ins.map((i) => i.op).lastIndexOf("FROM");
  return ins.slice(last).filter((i) => i.op === "COPY" && !i.args.startsWith("--from")).flatMap((i) => {
    const parts = i.args.split(/\s+/);
    const dest = parts.pop()!.replace(/^\.\//, "");
    return parts.map((s): [string, string] => [s, dest === "" || dest.endsWith("/") ? join(dest, s.split("/").at(-1)!) : dest]);
  });
}

describe("image contents", () => {
  it("copy enough sources to load the whole CLI: an /app assembled from the coordinator image's COPYs runs `c2i help`", () => {
    const app = mkdtempSync(join(tmpdir(), "c2i-image-"));
    try {
      for (const [s, dest] of contextCopies("coordinator")) cpSync(join(REPO, s), join(app, dest), { recursive: true });
      // node_modules comes from the deps stage (npm ci of the same lockfile).
      symlinkSync(join(REPO, "node_modules"), join(app, "node_modules"));
      // `help` imports the command registry, hence every module any command imports statically.
      const out = execFileSync(process.execPath, [join(app, "bin/c2i.mjs"), "help"], { cwd: app, encoding: "utf8" });
      expect(out).toMatch(/^\s+coordinator\b/m);
      expect(out).toMatch(/^\s+agent\b/m);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it("give the agent images at least the coordinator image's sources, plus the entrypoint script", () => {
    const base = contextCopies("coordinator").map(([s]) => s);
    for (const f of ["agent-cpu", "agent-gpu"]) {
      const mine = contextCopies(f).map(([s]) => s);
      expect(mine, f).toEqual(expect.arrayContaining(base));
      expect(mine, f).toContain("deploy/docker/agent-entrypoint.sh");
    }
  });
});

describe("agent-entrypoint.sh", () => {
  const dir = mkdtempSync(join(tmpdir(), "c2i-entry-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A stand-in `node` that prints what the real one would be started with.
  writeFileSync(join(dir, "node"), '#!/bin/sh\necho "advertise=$C2I_ADVERTISE args=$*"\n');
  chmodSync(join(dir, "node"), 0o755);
  const run = (env: Record<string, string>) =>
    execFileSync(join(DEPLOY, "docker/agent-entrypoint.sh"), ["--capacity", "2"], { env: { PATH: `${dir}:${process.env.PATH}`, ...env }, encoding: "utf8" }).trim();

  it("advertises the container's own IP on the listen port when C2I_ADVERTISE is unset, and starts c2i agent with the arguments", () => {
    const ip = execFileSync("hostname", ["-i"], { encoding: "utf8" }).trim().split(" ")[0];
    expect(run({ C2I_LISTEN: "0.0.0.0:7171" })).toBe(`advertise=${ip}:7171 args=/app/bin/c2i.mjs agent --capacity 2`);
  });

  it("keeps an explicit C2I_ADVERTISE (Kubernetes sets the pod IP)", () => {
    expect(run({ C2I_LISTEN: "0.0.0.0:7071", C2I_ADVERTISE: "10.1.2.3:7071" })).toBe("advertise=10.1.2.3:7071 args=/app/bin/c2i.mjs agent --capacity 2");
  });
});
