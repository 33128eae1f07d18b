// The command registry: one line per command, one file per command beside this one.
import type { Command } from "../command.ts";
import { inspectCommand } from "./inspect.ts";
import { convertCommand } from "./convert.ts";
import { evalCommand } from "./eval.ts";
import { scoreCommand } from "./score.ts";
import { applyCommand } from "./apply.ts";
import { demoCommand } from "./demo.ts";
import { adaptCommand } from "./adapt.ts";
import { sweepCommand } from "./sweep.ts";
import { coordinatorCommand } from "./coordinator.ts";
import { agentCommand } from "./agent.ts";
import { submitCommand } from "./submit.ts";
import { watchCommand } from "./watch.ts";
import { jobsCommand } from "./jobs.ts";
import { agentsCommand } from "./agents.ts";
import { cancelCommand } from "./cancel.ts";
import { datasetsCommand } from "./datasets.ts";
import { compressCommand } from "./compress.ts";
import { probeCommand } from "./probe.ts";

export const commands: Command[] = [
  adaptCommand,
  sweepCommand,
  evalCommand,
  scoreCommand,
  applyCommand,
  demoCommand,
  inspectCommand,
  convertCommand,
  coordinatorCommand,
  agentCommand,
  submitCommand,
  watchCommand,
  jobsCommand,
  agentsCommand,
  cancelCommand,
  datasetsCommand,
  compressCommand,
  probeCommand,
];
