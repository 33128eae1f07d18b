// The series names (and their label names) the real coordinator and agent registries expose, as Prometheus
// stores them after a scrape: histogram _bucket/_sum/_count, default process metrics, target labels.
import type { Registry } from "prom-client";
import { createAgentMetrics } from "../../agent/metrics/registry.ts";
import { CoordinatorMetrics } from "../../coordinator/metrics/registry.ts";

/** Labels Prometheus attaches to every scraped series. */
export const TARGET_LABELS = ["job", "instance"] as const;

/** Series name → label names it can carry in Prometheus. */
export type SeriesLabels = Map<string, Set<string>>;

/** A metric's own `job`/`instance` label is renamed `exported_*` on scrape (honor_labels: false). */
function stored(label: string): string {
  return (TARGET_LABELS as readonly string[]).includes(label) ? `exported_${label}` : label;
}

async function collect(registry: Registry, into: SeriesLabels): Promise<void> {
  for (const m of await registry.getMetricsAsJSON()) {
    const metric = registry.getSingleMetric(m.name) as unknown as { labelNames?: readonly string[] } | undefined;
    const own = (metric?.labelNames ?? []).map(stored);
    const add = (name: string, extra: string[] = []) => into.set(name, new Set([...own, ...extra, ...TARGET_LABELS]));
    const type = String(m.type);
    if (type === "histogram") {
      add(`${m.name}_bucket`, ["le"]);
      add(`${m.name}_sum`);
      add(`${m.name}_count`);
    } else if (type === "summary") {
      add(m.name, ["quantile"]);
      add(`${m.name}_sum`);
      add(`${m.name}_count`);
    } else {
      add(m.name);
    }
  }
}

/** Everything a dashboard may query from c2i targets, plus Prometheus's synthetic `up`. */
export async function registeredSeries(): Promise<SeriesLabels> {
  const out: SeriesLabels = new Map([["up", new Set<string>(TARGET_LABELS)]]);
  const coordinator = new CoordinatorMetrics();
  try {
    await collect(coordinator.registry, out);
  } finally {
    coordinator.close();
  }
  await collect(createAgentMetrics().registry, out);
  return out;
}

/** NVIDIA dcgm-exporter fields the GPU panels may use (default counters of dcgm-exporter 3.x), and their labels. */
export const DCGM_SERIES: SeriesLabels = new Map(
  ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_COPY_UTIL"]
    .map((name) => [name, new Set(["gpu", "UUID", "device", "modelName", "Hostname", "pci_bus_id", "DCGM_FI_DRIVER_VERSION", "container", "namespace", "pod", ...TARGET_LABELS])]),
);
