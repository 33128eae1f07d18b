// The command registry: one line per command, one file per command beside this one.
import type { Command } from "../command.ts";

export const commands: Command[] = [
];
