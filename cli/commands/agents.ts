// `c2i agents`: the agents the coordinator knows, with state, load, backend, cached models and their memory plans.
import { describeMemoryPlan } from "../../common/memory-plan.ts";
import type { AgentInfo } from "../../coordinator/pool/types.ts";
import type { Command } from "../command.ts";
import { output, parseFlags } from "../command.ts";
import { clientEnv, clientFlags, clientFrom, clientUsage } from "./cluster-flags.ts";

const usage = `usage: c2i agents [--coordinator HOST:PORT] [--token T] [--json]
One line per agent, then one indented line per cached model with its memory plan (agents with a budget report them;
--json: \`memoryBudget: {budgetBytes, plans}\`).
${clientUsage}`;

/** The agent's line, then its models' memory plans indented. */
export function describeAgent(a: AgentInfo): string {
  const head = `${a.id}  ${a.state.padEnd(4)}  ${a.inFlight}/${a.capacity}  ${a.address}  ${a.backend} ${a.svd}  models: ${a.cachedModels.join(", ") || "-"}`;
  return [head, ...(a.memoryBudget?.plans ?? []).map((p) => `    memory plan ${p.model}: ${describeMemoryPlan(p)}`)].join("\n");
}

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
          : agents.map(describeAgent).join("\n"));
      return 0;
    } finally {
      client.close();
    }
  },
};
