// `c2i <command>`: dispatches to one file per command; expected errors print one line, exit 2.
import { describeError, isC2iError } from "../common/errors.ts";
import type { Command } from "./command.ts";
import { commands } from "./commands/index.ts";

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ["usage: c2i <command> [flags]   (c2i help <command> for its flags)", "", ...lines].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const target = rest[0] && commands.find((c: Command) => c.name === rest[0]);
    process.stdout.write((target ? target.usage : help()) + "\n");
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`c2i: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.usage + "\n");
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    process.stderr.write(`c2i ${name}: ${describeError(e)}\n`);
    if (!isC2iError(e) && process.env.C2I_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return isC2iError(e) ? 2 : 1;
  }
}
