// The local agent entry speaks common/local-agent-protocol.ts as a worker thread and as a child process.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AGENT_ENTRY, localAgentChildArgs, type FromLocalAgent, type LocalAgentOptions, type ToLocalAgent } from "../../common/local-agent-protocol.ts";
import type { EvaluateShard, WorkRef } from "../../common/shards.ts";
import { demoFixture, PLANTED, type DemoFixture } from "./fixture.ts";

/** A started agent: send messages, await the next message matching a predicate. */
interface Agent {
  send(m: ToLocalAgent): void;
  next(match: (m: FromLocalAgent) => boolean): Promise<FromLocalAgent>;
  exited: Promise<number | null>;
  kill(): void;
}

function wire(on: (h: (m: FromLocalAgent) => void) => void, send: (m: ToLocalAgent) => void, exited: Promise<number | null>, kill: () => void): Agent {
  const inbox: FromLocalAgent[] = [];
  const waiting: { match: (m: FromLocalAgent) => boolean; resolve: (m: FromLocalAgent) => void }[] = [];
  on((m) => {
    const i = waiting.findIndex((w) => w.match(m));
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else inbox.push(m);
  });
  return {
    send,
    exited,
    kill,
    next: (match) => {
      const i = inbox.findIndex(match);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        waiting.push({ match, resolve });
        void exited.then((code) => reject(new Error(`agent exited (${code}) before the awaited message`)));
      });
    },
  };
}

function startWorker(options: LocalAgentOptions): Agent {
  const w = new Worker(LOCAL_AGENT_ENTRY, { workerData: options, stderr: true });
  w.stderr.resume();
  const exited = new Promise<number | null>((resolve) => w.once("exit", resolve));
  return wire((h) => w.on("message", h), (m) => w.postMessage(m), exited, () => void w.terminate());
}

function startChild(options: LocalAgentOptions): Agent {
  const c: ChildProcess = fork(fileURLToPath(LOCAL_AGENT_ENTRY), localAgentChildArgs(options), { serialization: "advanced", stdio: ["ignore", "ignore", "ignore", "ipc"] });
  const exited = new Promise<number | null>((resolve) => c.once("exit", (code) => resolve(code)));
  return wire((h) => c.on("message", (m) => h(m as FromLocalAgent)), (m) => c.send(m), exited, () => c.kill("SIGKILL"));
}

let fx: DemoFixture;
beforeAll(async () => {
  fx = await demoFixture();
});
afterAll(() => fx?.cleanup());

const options = (agentId: string): LocalAgentOptions => ({ agentId, backend: "cpu", blas: "off", logLevel: "warn" });

describe.each([
  ["worker thread", startWorker],
  ["child process", startChild],
] as const)("local agent as a %s", (_mode, start) => {
  it("starts, reports itself, runs shards, reports errors by shard id, and closes", async () => {
    const agent = start(options(`a-${_mode}`));
    try {
      const ready = await agent.next((m) => m.type === "ready" || m.type === "fatal");
      expect(ready).toMatchObject({ type: "ready", backend: "cpu", mode: _mode === "worker thread" ? "worker" : "child" });
      const ref: WorkRef = { jobId: "j", model: fx.model, dataset: fx.dataset };
      const shard: EvaluateShard = {
        kind: "evaluate",
        shardId: "e1",
        ref,
        samples: { name: "adapt", indices: [0, 1, 2, 3, 4, 5, 6, 7] },
        candidates: [null, { matrix: PLANTED, blocks: 1, rate: 0.2 }],
      };
      agent.send({ type: "run", shard });
      agent.send({ type: "run", shard: { ...shard, shardId: "bad", candidates: [{ matrix: "no.such.matrix", blocks: 1, rate: 0.5 }] } });
      const result = await agent.next((m) => m.type === "result" || (m.type === "error" && m.shardId === "e1"));
      expect(result.type).toBe("result");
      if (result.type !== "result" || result.result.kind !== "evaluate") throw new Error("expected an evaluate result");
      expect(result.result.evaluations.map((e) => e.keptRanks)).toEqual([undefined, [25]]);
      expect(result.result.evaluations[1]!.accuracy).toBe(1);
      const error = await agent.next((m) => m.type === "error");
      expect(error).toMatchObject({ type: "error", shardId: "bad", code: "INVALID_ARGUMENT" });
      agent.send({ type: "info" });
      const info = await agent.next((m) => m.type === "info");
      expect(info).toMatchObject({ type: "info", cachedJobs: ["j"], inFlight: [] });
      agent.send({ type: "drop-job", jobId: "j" });
      agent.send({ type: "info" });
      // The job's caches are gone; its model stays loaded for the next job on it (idleModels).
      expect(await agent.next((m) => m.type === "info")).toMatchObject({ cachedJobs: [], cachedModels: [expect.any(String)], sharedWork: { idleModels: 1, modelMisses: 1 } });
      agent.send({ type: "close" });
      expect(await agent.next((m) => m.type === "closed")).toEqual({ type: "closed" });
      expect(await agent.exited).toBe(0);
    } finally {
      agent.kill();
    }
  });

  it("keeps messages sent before it is ready, and ends a cancelled shard with JOB_CANCELLED", async () => {
    const agent = start(options(`c-${_mode}`));
    try {
      const ref: WorkRef = { jobId: "j", model: fx.model, dataset: fx.dataset };
      const indices = Array.from({ length: 200 }, (_, i) => i);
      agent.send({ type: "run", shard: { kind: "evaluate", shardId: "long", ref, samples: { name: "all", indices }, candidates: [null, null, null, null] } });
      agent.send({ type: "cancel", shardId: "long" });
      await agent.next((m) => m.type === "ready");
      expect(await agent.next((m) => m.type === "error" || m.type === "result")).toMatchObject({ type: "error", shardId: "long", code: "JOB_CANCELLED" });
      agent.send({ type: "close" });
      await agent.next((m) => m.type === "closed");
    } finally {
      agent.kill();
    }
  });
});
