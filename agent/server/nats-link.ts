// The agent's NATS connection (heartbeats only): the shared recipe in common/nats.ts, named after the agent.
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../common/log.ts";
import { connectNats, watchNatsStatus, type NatsOptions } from "../../common/nats.ts";

export type AgentNatsOptions = Omit<NatsOptions, "name">;

export async function connectAgentNats(o: AgentNatsOptions, name: string, log: Logger): Promise<NatsConnection> {
  const nc = await connectNats({ ...o, name });
  watchNatsStatus(nc, log);
  return nc;
}
