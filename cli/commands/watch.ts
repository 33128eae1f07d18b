// `c2i watch ID`: follows a job's progress events from the coordinator until it ends.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { CoordinatorClient, WatchedEvent } from "../../coordinator/grpc/client.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../command.ts";
import { clientEnv, clientFlags, clientFrom, clientUsage } from "./cluster-flags.ts";

const usage = `usage: c2i watch JOB_ID [--coordinator HOST:PORT] [--token T] [--json]
${clientUsage}   (one JSON object per event)`;

/** One line per event for people. */
export function describeEvent(e: WatchedEvent): string {
  const d = e.data;
  if (e.event === "state") return `state  ${String(d.state)}${d.error ? `  (${String(d.error)})` : ""}`;
  if (e.event === "phase") {
    return `phase  ${String(d.phase)} ${String(d.status)}  [${String(d.index ?? "?")}/${String(d.of ?? "?")}] shards=${String(d.shards ?? "?")}` +
      (d.reused ? ` reused=${String(d.reused)}` : "") + (typeof d.ms === "number" ? ` ${(d.ms / 1000).toFixed(1)}s` : "");
  }
  if (e.event === "progress") {
    const best = d.best as { accuracy?: number; candidate?: { matrix: string; blocks: number; rate: number } } | undefined;
    return `  ${String(d.phase)} ${String(d.done)}/${String(d.total)}` +
      (typeof d.etaMs === "number" ? ` eta ${(d.etaMs / 1000).toFixed(0)}s` : "") +
      (typeof d.baseline === "number" ? ` baseline=${d.baseline.toFixed(3)}` : "") +
      (best?.candidate ? ` best=${best.accuracy?.toFixed(3)} (${best.candidate.matrix} K=${best.candidate.blocks} ρ=${best.candidate.rate})` : "");
  }
  return `${e.event}  ${JSON.stringify(d)}`;
}

/** Prints events until the job ends; returns its final state. */
export async function follow(client: CoordinatorClient, id: string, json: boolean): Promise<string> {
  let state = "unknown";
  for await (const e of client.watch(id)) {
    if (e.event === "state") state = String(e.data.state);
    process.stdout.write((json ? JSON.stringify(e) : describeEvent(e)) + "\n");
  }
  return state;
}

export const watchCommand: Command = {
  name: "watch",
  summary: "follow a cluster job's progress until it ends",
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, clientFlags, clientEnv);
    const id = positionals[0];
    if (!id) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "watch needs a job id (see `c2i jobs`)");
    const client = clientFrom(values);
    try {
      const state = await follow(client, id, values.json === true);
      return state === "succeeded" ? 0 : 1;
    } finally {
      client.close();
    }
  },
};
