// `c2i submit`: sends a job spec to the coordinator; with --wait, follows it to the end.
import { readFileSync } from "node:fs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Command } from "../command.ts";
import { output, parseFlags } from "../command.ts";
import { clientEnv, clientFlags, clientFrom, clientUsage, flagString } from "./cluster-flags.ts";
import { follow } from "./watch.ts";

const usage = `usage: c2i submit --model REF --dataset REF [--strategy S] [--settings JSON] [--wait] [--json]
       c2i submit --spec FILE.json [--wait] [--json]
  --model REF        checkpoint path on the agents' storage (under their --roots) or hf:<org>/<name>   (env C2I_MODEL)
  --dataset REF      dataset path on the agents' storage   (env C2I_DATASET)
  --strategy S       c2i (default), laser, …   (env C2I_STRATEGY)
  --settings JSON    overrides of the strategy's settings, e.g. '{"seed":7}'   (env C2I_SETTINGS)
  --spec FILE        the whole job spec as JSON (flags above override its fields)   (env C2I_SPEC)
  --wait             follow the job until it ends; exit 0 only if it succeeded   (env C2I_WAIT=1)
                     (with --json: one JSON event per line, then the final job record on the last line)
${clientUsage}`;

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${what} must be a JSON object: ${(e as Error).message}`);
  }
}

export const submitCommand: Command = {
  name: "submit",
  summary: "submit a job to a cluster coordinator",
  usage,
  async run(argv) {
    const { values: v } = parseFlags(
      argv,
      { ...clientFlags, model: { type: "string" }, dataset: { type: "string" }, strategy: { type: "string" }, settings: { type: "string" }, spec: { type: "string" }, wait: { type: "boolean" } },
      { ...clientEnv, model: "C2I_MODEL", dataset: "C2I_DATASET", strategy: "C2I_STRATEGY", settings: "C2I_SETTINGS", spec: "C2I_SPEC", wait: "C2I_WAIT" },
    );
    const specFile = flagString(v, "spec");
    const spec: Record<string, unknown> = specFile ? parseJson(readFileSync(specFile, "utf8"), `--spec ${specFile}`) : {};
    for (const k of ["model", "dataset", "strategy"] as const) if (flagString(v, k)) spec[k] = flagString(v, k);
    if (flagString(v, "settings")) spec.settings = { ...(spec.settings as object | undefined), ...parseJson(flagString(v, "settings")!, "--settings") };
    if (!spec.model || !spec.dataset) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "submit needs --model and --dataset (or a --spec file with both)");
    const json = v.json === true;
    const client = clientFrom(v);
    try {
      const job = await client.submit(spec);
      if (!v.wait) {
        output(json, job, () => `${job.id}  ${job.state}   (c2i watch ${job.id})`);
        return 0;
      }
      if (!json) process.stdout.write(`${job.id}  submitted\n`);
      const state = await follow(client, job.id, json);
      const final = await client.get(job.id);
      // With --json every line is one JSON document: the events, then the final record.
      process.stdout.write((json ? JSON.stringify(final) : `${final.id}  ${final.state}${final.error ? `: ${final.error}` : ""}`) + "\n");
      return state === "succeeded" ? 0 : 1;
    } finally {
      client.close();
    }
  },
};
