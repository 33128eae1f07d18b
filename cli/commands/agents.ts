// `c2i agents`: the agents the coordinator knows, with state, load, backend and cached models.
import type { Command } from "../command.ts";
import { output, parseFlags } from "../command.ts";
import { clientEnv, clientFlags, clientFrom, clientUsage } from "./cluster-flags.ts";

const usage = `usage: c2i agents [--coordinator HOST:PORT] [--token T] [--json]
${clientUsage}`;

export const agentsCommand: Command = {
  name: "agents",
  summary: "list the agents a cluster coordinator knows",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, clientFlags, clientEnv);
    const client = clientFrom(values);
    try {
      const agents = await client.agents();
      output(values.json === true, agents, () =>
        agents.length === 0
          ? "no agents (start one with `c2i agent --nats … --roots …`)"
          : agents.map((a) => `${a.id}  ${a.state.padEnd(4)}  ${a.inFlight}/${a.capacity}  ${a.address}  ${a.backend} ${a.svd}  models: ${a.cachedModels.join(", ") || "-"}`).join("\n"));
      return 0;
    } finally {
      client.close();
    }
  },
};
