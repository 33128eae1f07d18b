// `c2i jobs [ID]`: lists the coordinator's jobs, or shows one with its result.
import type { JobRecord } from "../../coordinator/store/types.ts";
import type { Command } from "../command.ts";
import { output, parseFlags } from "../command.ts";
import { clientEnv, clientFlags, clientFrom, clientUsage } from "./cluster-flags.ts";

const usage = `usage: c2i jobs [JOB_ID] [--coordinator HOST:PORT] [--token T] [--json]
${clientUsage}`;

function line(j: JobRecord): string {
  const spec = j.spec as { model?: string; dataset?: string; strategy?: string };
  return `${j.id}  ${j.state.padEnd(9)}  ${(j.phase ?? "").padEnd(9)}  ${j.updatedAt}  ${spec.strategy ?? ""} ${spec.model ?? ""} ${spec.dataset ?? ""}`;
}

export const jobsCommand: Command = {
  name: "jobs",
  summary: "list cluster jobs, or show one",
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, clientFlags, clientEnv);
    const client = clientFrom(values);
    try {
      if (positionals[0]) {
        const job = await client.get(positionals[0]);
        output(values.json === true, job, () => [line(job), ...(job.error ? [`error: ${job.error}`] : []), ...(job.result ? [JSON.stringify(job.result, null, 2)] : [])].join("\n"));
      } else {
        const jobs = await client.list();
        output(values.json === true, jobs, () => (jobs.length ? jobs.map(line).join("\n") : "no jobs"));
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
