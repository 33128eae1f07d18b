// Every shipped dashboard and the JSON file it is written to under grafana/dashboards/.
import { agentResources } from "./agent-resources.ts";
import { clusterOverview } from "./cluster-overview.ts";
import { jobView } from "./job-view.ts";
import type { Json } from "./panels.ts";

export const dashboards: readonly { file: string; build: () => Json }[] = [
  { file: "cluster-overview.json", build: clusterOverview },
  { file: "job.json", build: jobView },
  { file: "agent-resources.json", build: agentResources },
];

/** The exact bytes of a dashboard file (2-space JSON, trailing newline), so rebuilding is idempotent. */
export function render(dashboard: Json): string {
  return JSON.stringify(dashboard, null, 2) + "\n";
}
