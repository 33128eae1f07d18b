// AgentService surface: raw protobuf bytes and hostile shards sent over loopback to a real agent server with a compute child process.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ChildRunner } from "../../../agent/server/child-runner.ts";
import { AgentServer } from "../../../agent/server/server.ts";
import { AllowedRoots } from "../../../agent/security/roots.ts";
import { ErrorCode } from "../../../common/errors.ts";
import { silentLogger } from "../../../common/log.ts";
import { alive } from "../../fixtures/processes.ts";
import { tinyAnswerJsonl, writeTinyModel } from "../fixtures.ts";
import { mutateBytes } from "../mutate-bytes.ts";
import { INTERESTING_STRINGS } from "../mutate-json.ts";
import { authMetadata, codecs, healthy, RawClient } from "../raw-grpc.ts";
import type { Rng } from "../rng.ts";
import { TeardownError, type FuzzInput, type Surface } from "../surface.ts";

const TOKEN = "fuzz-agent-token";
const SERVICE = "c2i.v1.AgentService";
const ROWS = 24;

/** The files shards may name (a root with the tiny model and a dataset, paths out of it) and the codecs to build shards. */
export interface AgentWorld {
  root: string;
  codec: ReturnType<typeof codecs>;
  model: string;
  dataset: string;
  /** Paths a shard may name: inside the root, outside it, through a symlink out, missing. */
  paths: string[];
  matrices: string[];
}

export interface AgentSetup extends AgentWorld {
  address: string;
  client: RawClient;
  token: string;
  /** The in-process server and its compute child (absent when the agent is a `c2i agent` process). */
  server?: AgentServer;
  computePid?: number;
}

type Obj = Record<string, unknown>;

const INTS = [0, -1, 1, 2, 3, 8, 1000, 2 ** 31 - 1, -(2 ** 31), Number.NaN, Infinity, 0.5] as const;
const RATES = [0, 0.5, 0.99, 1, -0.1, 2, Number.NaN, Infinity, -Infinity, 1e308, 5e-324, -0] as const;

function base(s: AgentSetup, method: string, rng: Rng): Obj {
  const ref: Obj = { jobId: `fz-${rng.int(4)}`, model: s.model, dataset: s.dataset };
  if (rng.chance(0.2)) {
    ref.factorization = rng.pick(["fwsvd", "asvd"]);
    ref.calibration = { name: "adapt", indices: [0, 1, 2, 3] };
  }
  if (rng.chance(0.3)) ref.batching = { batchSize: 4, chunkSize: 8 };
  if (rng.chance(0.2)) ref.task = { lengthNormalise: false, maxTokens: 24 };
  const samples = { name: "adapt", indices: [0, 1, 2, 3, 4, 5] };
  switch (method) {
    case "Prepare":
      return { shardId: "fz/prepare/0", ref };
    case "Score":
      return { shardId: "fz/score/0", ref, samples, matrices: [s.matrices[0], s.matrices[3]], blockCounts: [1, 2], smallest: 3 };
    case "Evaluate":
      return { shardId: "fz/evaluate/0", ref, samples, candidates: [{}, { candidate: { matrix: s.matrices[1], blocks: 2, rate: 0.5 } }], ...(rng.chance(0.2) ? { earlyStopTarget: 3, describeEdits: true } : {}) };
    default:
      return {};
  }
}

/** One field of the shard set to a hostile value of its wire type. */
function hostileField(s: AgentSetup, shard: Obj, rng: Rng): string {
  const ref = (shard.ref ?? (shard.ref = {})) as Obj;
  const samples = (shard.samples ?? (shard.samples = { name: "x", indices: [] })) as Obj;
  const hugeList = (v: number, last: number) => [...Array.from({ length: rng.pick([10_000, 500_000]) }, () => v), last];
  const fields: [string, () => unknown, Obj, string][] = [
    ["ref.model", () => rng.pick([...s.paths, ...INTERESTING_STRINGS]), ref, "model"],
    ["ref.dataset", () => rng.pick([...s.paths.map((p) => rng.pick(["", "counterfact:", "constructor:", "jsonl:", "fever:", "nosuch:"]) + p), ...INTERESTING_STRINGS]), ref, "dataset"],
    ["ref.jobId", () => rng.pick(["", "x".repeat(100_000), ...INTERESTING_STRINGS]), ref, "jobId"],
    ["ref.factorization", () => rng.pick(["svd", "fwsvd", "asvd", "nmf", "", "constructor"]), ref, "factorization"],
    ["ref.clustering", () => rng.pick(["blocks", "ksubspaces", "kmeans", "", "__proto__"]), ref, "clustering"],
    ["ref.task", () => ({ template: rng.pick(INTERESTING_STRINGS), lengthNormalise: rng.chance(0.5), maxTokens: rng.pick(INTS) }), ref, "task"],
    ["ref.batching", () => ({ batchSize: rng.pick(INTS), chunkSize: rng.pick(INTS) }), ref, "batching"],
    ["ref.calibration", () => ({ name: "cal", indices: rng.pick([[-1], [ROWS], [2 ** 31 - 1], [], hugeList(0, ROWS), [0, 0, 1]]) }), ref, "calibration"],
    ["samples.indices", () => rng.pick([[-1], [ROWS], [2 ** 31 - 1], [], [0, 0, 0, 1], hugeList(1, -1), hugeList(2, ROWS)]), samples, "indices"],
    ["samples.name", () => rng.pick(INTERESTING_STRINGS), samples, "name"],
    ["shardId", () => rng.pick(["", "fz/prepare/0", "x".repeat(100_000), ...INTERESTING_STRINGS]), shard, "shardId"],
    ["matrices", () => rng.pick([[], ["model.norm.weight"], ["nope"], [s.matrices[0], s.matrices[0]], Array.from({ length: 100_000 }, () => "nope"), [rng.pick(INTERESTING_STRINGS)]]), shard, "matrices"],
    ["blockCounts", () => rng.pick([[], [0], [-1], [17], [2 ** 31 - 1], [1, 1, 1], hugeList(1, 0)]), shard, "blockCounts"],
    ["smallest", () => rng.pick(INTS), shard, "smallest"],
    ["candidates", () => rng.pick([
      [{ candidate: { matrix: s.matrices[1], blocks: rng.pick(INTS), rate: rng.pick(RATES) } }],
      [{ candidate: { matrix: rng.pick(["nope", "model.norm.weight", "", "constructor"]), blocks: 1, rate: 0.5 } }],
      [{ candidate: { matrix: s.matrices[2], blocks: 1, rate: rng.pick(RATES) } }, {}],
      [],
      [...Array.from({ length: 100_000 }, () => ({ candidate: { matrix: s.matrices[1], blocks: 1, rate: 0.5 } })), { candidate: { matrix: "nope", blocks: 1, rate: 0.5 } }],
    ]), shard, "candidates"],
    ["earlyStopTarget", () => rng.pick(INTS), shard, "earlyStopTarget"],
  ];
  const [name, value, target, key] = rng.pick(fields);
  const v = value();
  target[key] = v;
  return `${name} := ${Array.isArray(v) && v.length > 20 ? `list of ${v.length}` : JSON.stringify(v)?.slice(0, 60)}`;
}

/** Writes the root an agent serves (tiny model, a dataset, symlinks out) under `scratch`. */
export function writeAgentWorld(scratch: string): AgentWorld {
  const root = join(scratch, "root");
  mkdirSync(root, { recursive: true });
  const tiny = writeTinyModel(join(root, "models"));
  const dataset = join(root, "rows.jsonl");
  writeFileSync(dataset, tinyAnswerJsonl(tiny, ROWS));
  const outside = join(scratch, "outside.jsonl");
  writeFileSync(outside, tinyAnswerJsonl(tiny, 4));
  symlinkSync(outside, join(root, "link-out.jsonl"));
  symlinkSync("/etc", join(root, "etc-link"));
  const paths = [
    tiny.dir, tiny.shardedDir, dataset, outside, join(root, "link-out.jsonl"), join(root, "etc-link", "passwd"), join(root, "missing"), `${root}/../outside.jsonl`,
    "rows.jsonl", "models/hf", "../outside.jsonl", root, "/etc/passwd", "/", join(root, "models"), join(tiny.dir, "config.json"), "hf:../x", "hf:a/b/c", "hf:",
  ];
  const matrices = ["model.layers.0.mlp.down_proj.weight", "model.layers.1.self_attn.q_proj.weight", "model.layers.0.self_attn.o_proj.weight", "model.layers.1.mlp.up_proj.weight"];
  return { root, codec: codecs("c2i/v1/agent.proto", SERVICE), model: tiny.dir, dataset, paths, matrices };
}

export const AGENT_TOKEN = TOKEN;

export const agentGrpcSurface: Surface<AgentSetup> = {
  name: "grpc-agent",
  title: "AgentService on 127.0.0.1 (raw bytes, damaged and hostile shards; real compute child) → Prepare/Score/Evaluate/Info",
  codes: [
    ErrorCode.INVALID_ARGUMENT, ErrorCode.PATH_NOT_ALLOWED, ErrorCode.NOT_FOUND, ErrorCode.UNAUTHENTICATED, ErrorCode.DATASET_INVALID,
    ErrorCode.CHECKPOINT_CORRUPT, ErrorCode.CHECKPOINT_MISSING_TENSOR, ErrorCode.UNSUPPORTED_ARCH, ErrorCode.SHAPE_MISMATCH,
    ErrorCode.TOKENIZER_MISSING, ErrorCode.TOKENIZER_INVALID,
  ],
  async setup(scratch) {
    const world = writeAgentWorld(scratch);
    const runner = new ChildRunner({ agentId: "fuzz", logLevel: "silent", svd: "typescript", maxJobs: 2 }, silentLogger());
    const server = await AgentServer.start({ id: "fuzz", listen: "127.0.0.1:0", roots: new AllowedRoots([world.root]), runner, token: TOKEN, log: silentLogger(), shutdownGraceMs: 2_000 });
    const pid = /pid (\d+)/.exec((await runner.describe()).device)?.[1];
    return { ...world, address: server.address, client: new RawClient(server.address), token: TOKEN, server, computePid: pid ? Number(pid) : undefined };
  },
  generate(rng, s): FuzzInput {
    const method = rng.weighted([[3, "Prepare"], [3, "Score"], [3, "Evaluate"], [1, "Info"]] as const);
    const auth = rng.weighted([[20, "good"], [1, "none"], [1, "wrong"], [1, "malformed"]] as const);
    const shard = base(s, method, rng);
    const kind = rng.weighted([[6, "hostile"], [3, "bytes"], [1, "random"]] as const);
    let body: Buffer;
    let what: string;
    if (kind === "random") {
      body = Buffer.from(rng.bytes(rng.pick([0, 1, 7, 64, 4096])));
      what = `${body.length} random bytes`;
    } else {
      const parts: string[] = [];
      if (kind === "hostile" && method !== "Info") for (let k = rng.range(1, 2); k > 0; k--) parts.push(hostileField(s, shard, rng));
      body = s.codec[method]!.encode(shard);
      if (kind === "bytes") {
        const m = mutateBytes(body, rng);
        body = Buffer.from(m.value);
        parts.push(`bytes: ${m.what}`);
      }
      what = parts.join("; ") || "valid";
    }
    return { files: {}, what: `${method} (${auth} token) ${what}`, data: { method, auth, body } };
  },
  async feed(input, s) {
    const { method, auth, body } = input.data as { method: string; auth: "good" | "none" | "wrong" | "malformed"; body: Buffer };
    const res = await s.client.unary(`/${SERVICE}/${method}`, body, authMetadata(auth, s.token), 10_000);
    s.codec[method]!.decodeResponse(res);
  },
  async teardown(s) {
    const answers = await healthy(s.address);
    s.client.close();
    await s.server?.close();
    if (!answers) throw new TeardownError("crash", "the agent does not answer health checks after the campaign");
    if (s.computePid !== undefined && alive(s.computePid)) throw new TeardownError("leak", `compute process ${s.computePid} still alive after close()`);
  },
};
