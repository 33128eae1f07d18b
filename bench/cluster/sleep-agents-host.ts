// A separate process hosting N simulated agents (SleepRunner behind real AgentServers), so the
// coordinator side of bench/cluster is measured in its own process. Prints one ready line; SIGTERM stops it.
import { makeRoot, startSleepAgents } from "../../test/fixtures/sleep-agents.ts";

const [natsUrl, count, sleepMs] = process.argv.slice(2);
const root = makeRoot();
const agents = await startSleepAgents(root.dir, { count: Number(count), natsUrl: natsUrl!, sleepMs: Number(sleepMs), heartbeatMs: 1_000 });
process.stdout.write(JSON.stringify({ model: root.model, dataset: root.dataset }) + "\n");
await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
for (const a of agents) await a.server.close();
root.remove();
process.exit(0);
