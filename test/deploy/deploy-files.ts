// Loads the shipped deployment files (compose, Kubernetes, Dockerfiles, dashboards) for the config tests.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { REPO, type ClusterCommand } from "./cli-env.ts";

export const DEPLOY = join(REPO, "deploy");
export const GRAFANA = join(REPO, "grafana");

export type Doc = Record<string, any>;

export function readYaml(path: string): Doc {
  return parse(readFileSync(path, "utf8"), { merge: true, strict: true, uniqueKeys: true }) as Doc;
}

/** Every document of every .yaml file in deploy/k8s (recursively), with its file. */
export function k8sDocuments(): { file: string; doc: Doc }[] {
  const out: { file: string; doc: Doc }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".yaml")) {
        for (const d of parseAllDocuments(readFileSync(path, "utf8"), { strict: true, uniqueKeys: true })) {
          if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((x) => x.message).join("; ")}`);
          const doc = d.toJS() as Doc | null;
          if (doc) out.push({ file: path.slice(REPO.length + 1), doc });
        }
      }
    }
  };
  walk(join(DEPLOY, "k8s"));
  return out;
}

export interface Instruction {
  op: string;
  args: string;
}

/** A Dockerfile's instructions, continuation lines joined and comments dropped. */
export function dockerfile(path: string): Instruction[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const out: Instruction[] = [];
  let current = "";
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line)) continue;
    current += (current ? " " : "") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) continue;
    if (current.trim()) {
      const m = /^(\w+)\s+(.*)$/.exec(current.trim());
      if (m) out.push({ op: m[1]!.toUpperCase(), args: m[2]! });
    }
    current = "";
  }
  return out;
}

/** KEY=VALUE pairs of all ENV instructions of the final stage. */
export function finalStageEnv(instructions: Instruction[]): Map<string, string> {
  const last = instructions.map((i) => i.op).lastIndexOf("FROM");
  const env = new Map<string, string>();
  for (const i of instructions.slice(last)) {
    if (i.op !== "ENV") continue;
    for (const m of i.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env.set(m[1]!, m[2]!.replace(/^"|"$/g, ""));
  }
  return env;
}

/** The c2i command an image runs: from its ENTRYPOINT, following an entrypoint script. */
export function imageCommand(instructions: Instruction[]): ClusterCommand {
  const entry = instructions.filter((i) => i.op === "ENTRYPOINT").at(-1);
  if (!entry) throw new Error("no ENTRYPOINT");
  const argv = JSON.parse(entry.args) as string[];
  let text = argv.join(" ");
  if (argv[0]!.endsWith(".sh")) text = readFileSync(join(REPO, argv[0]!.replace(/^\/app\//, "")), "utf8");
  const m = /c2i\.mjs"?\s+(coordinator|agent)\b/.exec(text);
  if (!m) throw new Error(`ENTRYPOINT ${entry.args} does not run c2i coordinator or agent`);
  return m[1] as ClusterCommand;
}

export interface DashboardPanel {
  dashboard: string;
  title: string;
  description: string;
  exprs: string[];
}

export function dashboardFiles(): { file: string; json: Doc }[] {
  const dir = join(GRAFANA, "dashboards");
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((file) => ({ file, json: JSON.parse(readFileSync(join(dir, file), "utf8")) as Doc }));
}

/** Every non-row panel of every shipped dashboard (nested row panels included). */
export function dashboardPanels(): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  for (const { file, json } of dashboardFiles()) {
    const visit = (panels: Doc[]) => {
      for (const p of panels) {
        if (p.type === "row") {
          visit((p.panels ?? []) as Doc[]);
          continue;
        }
        out.push({ dashboard: file, title: String(p.title), description: String(p.description ?? ""), exprs: ((p.targets ?? []) as Doc[]).map((t) => String(t.expr)) });
      }
    };
    visit(json.panels as Doc[]);
  }
  return out;
}
