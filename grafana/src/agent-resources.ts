// Per-agent resources (template variable `agent`): tfjs memory, compute and agent processes, and GPUs via DCGM.
import { DCGM_MARKER, dashboard, type Json } from "./panels.ts";

const RI = "$__rate_interval";
/** Gives any per-target series the agent id of its target (`c2i_agent_info` carries it, value 1). */
const BY_AGENT = `* on (instance) group_left (agent) c2i_agent_info{agent=~"$agent"}`;
/** A per-target series, one line per agent. */
const perAgent = (expr: string, legend = "{{agent}}") => ({ expr: `${expr} ${BY_AGENT}`, legend });

export function agentResources(): Json {
  return dashboard({
    uid: "c2i-agent-resources",
    title: "c2i / Agent resources",
    description: "Memory, CPU and GPU of c2i agents. GPU panels need NVIDIA's dcgm-exporter scraped by the same Prometheus.",
    variables: [{ name: "agent", label: "Agent", query: "label_values(c2i_agent_info, agent)" }],
    rows: [
      {
        row: "Agents",
        panels: [
          {
            title: "Agent backends", type: "table", w: 12, h: 6,
            description: "What each agent computes with: tfjs backend and SVD implementation.",
            queries: [{ expr: `c2i_agent_info{agent=~"$agent"}`, instant: true }],
          },
          {
            title: "Shards in flight per agent", w: 12, h: 6, stack: true,
            description: "Shards running or queued on each agent (at most its --capacity).",
            queries: [perAgent("c2i_agent_shards_in_flight")],
          },
        ],
      },
      {
        row: "tfjs and compute process",
        panels: [
          {
            title: "tfjs memory", unit: "bytes", w: 8,
            description: "Bytes held by tfjs tensors in the agent's compute process (a steady climb across shards is a tensor leak).",
            queries: [perAgent("c2i_agent_tfjs_bytes")],
          },
          {
            title: "tfjs tensors", w: 8,
            description: "Live tfjs tensors in the compute process.",
            queries: [perAgent("c2i_agent_tfjs_tensors")],
          },
          {
            title: "Compute process RSS", unit: "bytes", w: 8,
            description: "Resident memory of the compute child process (model weights, tfjs and BLAS buffers).",
            queries: [perAgent("c2i_agent_compute_rss_bytes")],
          },
        ],
      },
      {
        row: "Memory plan",
        panels: [
          {
            title: "Memory plan vs budget", unit: "bytes", w: 12,
            description:
              "Each loaded model's planned total (weights, widen scratch, activations, gradient sums, SVD factor and layer caches; common/memory-plan.ts) " +
              "beside the agent's budget (--memory-gib). Planned when a job first uses the model, gone when the model is freed; `c2i agents` prints the same plans.",
            queries: [
              perAgent(`c2i_agent_memory_plan_bytes{part="total"}`, "{{model}} {{agent}}"),
              perAgent(`max by (instance) (c2i_agent_memory_plan_bytes{part="budget"})`, "budget {{agent}}"),
            ],
          },
          {
            title: "Memory plan parts", type: "table", unit: "bytes", w: 12,
            description: "Each part of each loaded model's plan, bytes: host_weights, backend_weights, widen_scratch, activations, gradient_sums, factor_cache, layer_cache.",
            queries: [{ expr: `c2i_agent_memory_plan_bytes{part!~"total|budget"} ${BY_AGENT}`, instant: true }],
          },
        ],
      },
      {
        row: "Layer cache",
        panels: [
          {
            title: "Layer cache", w: 24, h: 7,
            description:
              "Hidden states kept per job so an edit of layer ℓ reruns layers ℓ…L only (bound per job: --layer-cache-mib, 0 = off). " +
              "Batches per second run from a cached layer vs by the full forward (a high full share on a sweep means the bound is too small), sample sets held, MiB held.",
            queries: [
              perAgent(`rate(c2i_agent_layer_cache_batches_total{from="cached"}[${RI}])`, "cached batches/s {{agent}}"),
              perAgent(`rate(c2i_agent_layer_cache_batches_total{from="full"}[${RI}])`, "full-forward batches/s {{agent}}"),
              perAgent("c2i_agent_layer_cache_sets", "sets held {{agent}}"),
              perAgent("(c2i_agent_layer_cache_bytes / 1048576)", "MiB held {{agent}}"),
            ],
          },
        ],
      },
      {
        row: "Shared work across jobs",
        panels: [
          {
            title: "Factor cache hit ratio", unit: "percentunit", w: 8,
            description:
              "Share of per-(matrix, K) SVD factor lookups answered from the model's cache: every job on a model (a sweep's cells) reuses the factors " +
              "its first job computed. Data-dependent factorizations (FWSVD, ASVD) are per job and always miss for a new job.",
            queries: [perAgent(
              `(sum by (instance) (rate(c2i_agent_factor_lookups_total{result="hit"}[${RI}])) / clamp_min(sum by (instance) (rate(c2i_agent_factor_lookups_total[${RI}])), 1e-9))`,
              "factor hits {{agent}}",
            )],
          },
          {
            title: "Model loads", w: 8,
            description: "Jobs per second that found their model loaded (hit) or had to read it (miss); models loaded and kept idle for the next job.",
            queries: [
              perAgent(`rate(c2i_agent_model_loads_total{result="hit"}[${RI}])`, "hits/s {{agent}}"),
              perAgent(`rate(c2i_agent_model_loads_total{result="miss"}[${RI}])`, "loads/s {{agent}}"),
              perAgent(`c2i_agent_models_loaded{state="idle"}`, "idle models {{agent}}"),
            ],
          },
          {
            title: "Factor cache", unit: "bytes", w: 8,
            description: "Bytes of SVD factors held for the loaded models (bound per model: 1 GiB).",
            queries: [perAgent("c2i_agent_factor_cache_bytes")],
          },
        ],
      },
      {
        row: "Agent process",
        panels: [
          {
            title: "Agent CPU", unit: "percentunit", w: 8,
            description: "CPU seconds per second of the agent's server process (gRPC, heartbeats), 1 = one core.",
            queries: [perAgent(`rate(c2i_agent_process_cpu_seconds_total[${RI}])`)],
          },
          {
            title: "Agent memory", unit: "bytes", w: 8,
            description: "Resident set and V8 heap of the agent's server process.",
            queries: [
              perAgent("c2i_agent_process_resident_memory_bytes", "rss {{agent}}"),
              perAgent("c2i_agent_nodejs_heap_size_used_bytes", "heap {{agent}}"),
            ],
          },
          {
            title: "Agent event loop lag p99", unit: "s", w: 8,
            description: "Lag here delays heartbeats; compute runs in a child process so it should stay low.",
            queries: [perAgent("c2i_agent_nodejs_eventloop_lag_p99_seconds")],
          },
        ],
      },
      {
        row: "GPUs (dcgm-exporter)",
        panels: [
          {
            title: "GPU utilization", unit: "percent", min: 0, max: 100, w: 12,
            description: `${DCGM_MARKER} DCGM_FI_DEV_GPU_UTIL per GPU; empty where dcgm-exporter does not run (CPU agents, local runs).`,
            queries: [{ expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)`, legend: "{{Hostname}} gpu {{gpu}}" }],
          },
          {
            title: "GPU memory used", unit: "decmbytes", w: 12,
            description: `${DCGM_MARKER} Frame buffer used per GPU (MiB). tfjs-node-gpu runs with TF_FORCE_GPU_ALLOW_GROWTH=true, so this tracks real use.`,
            queries: [{ expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_FB_USED)`, legend: "{{Hostname}} gpu {{gpu}}" }],
          },
          {
            title: "GPU power", unit: "watt", w: 12,
            description: `${DCGM_MARKER} Power draw per GPU.`,
            queries: [{ expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_POWER_USAGE)`, legend: "{{Hostname}} gpu {{gpu}}" }],
          },
          {
            title: "GPU temperature", unit: "celsius", w: 12,
            description: `${DCGM_MARKER} Temperature per GPU.`,
            queries: [{ expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP)`, legend: "{{Hostname}} gpu {{gpu}}" }],
          },
        ],
      },
    ],
  });
}
