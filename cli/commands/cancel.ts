// `c2i cancel ID`: cancels a queued or running cluster job (its shards are cancelled on the agents).
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Command } from "../command.ts";
import { output, parseFlags } from "../command.ts";
import { clientEnv, clientFlags, clientFrom, clientUsage } from "./cluster-flags.ts";

const usage = `usage: c2i cancel JOB_ID [--coordinator HOST:PORT] [--token T] [--json]
${clientUsage}`;

export const cancelCommand: Command = {
  name: "cancel",
  summary: "cancel a cluster job",
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, clientFlags, clientEnv);
    if (!positionals[0]) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "cancel needs a job id (see `c2i jobs`)");
    const client = clientFrom(values);
    try {
      const job = await client.cancel(positionals[0]);
      output(values.json === true, job, () => `${job.id}  ${job.state}`);
      return 0;
    } finally {
      client.close();
    }
  },
};
