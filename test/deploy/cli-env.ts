// Which C2I_* environment variables `c2i coordinator` and `c2i agent` read, taken from their flag definitions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { natsEnv, tlsEnv } from "../../cli/commands/cluster-flags.ts";

export const REPO = join(import.meta.dirname, "../..");

export type ClusterCommand = "coordinator" | "agent";

/** The env names in the command's parseFlags env map (its own literals plus the shared NATS/TLS maps it spreads). */
export function commandEnv(command: ClusterCommand): Set<string> {
  const source = readFileSync(join(REPO, "cli/commands", `${command}.ts`), "utf8");
  const names = new Set([...source.matchAll(/"(C2I_[A-Z0-9_]+)"/g)].map((m) => m[1]!));
  if (source.includes("...natsEnv")) for (const v of Object.values(natsEnv)) names.add(v);
  if (source.includes("...tlsEnv")) for (const v of Object.values(tlsEnv)) names.add(v);
  return names;
}

/** Env vars a container may set that are not c2i flags (runtimes and libraries read them). */
export const FOREIGN_ENV = new Set(["NODE_ENV", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_CPP_MIN_LOG_LEVEL", "NVIDIA_DRIVER_CAPABILITIES", "NVIDIA_VISIBLE_DEVICES", "POD_NAME", "POD_IP"]);

/** Port of a HOST:PORT value. */
export function portOf(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(":") + 1));
}
