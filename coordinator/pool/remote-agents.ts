// The pool's view of remote agents: built from NATS heartbeats, swept by timestamp (no KV TTLs on 2.9).
import type { Logger } from "../../common/log.ts";
import { readMemoryBudgetReport, type MemoryBudgetReport } from "../../common/memory-report.ts";
import { channelCredentials, type TlsFiles } from "../../proto/auth.ts";
import type { AgentServiceClient } from "../../proto/gen/c2i/v1/AgentService.ts";
import { channelOptions, loadAgentProto } from "../../proto/load.ts";
import type { EventBus, Subscription } from "../events/types.ts";
import { subjects } from "../events/types.ts";
import type { AgentInfo } from "./types.ts";

export interface RemoteAgent {
  id: string;
  address: string;
  backend: string;
  svd: string;
  capacity: number;
  cachedModels: string[];
  /** The agent's memory budget and plans from its last heartbeat (malformed plans left out). */
  memoryBudget?: MemoryBudgetReport;
  /** Reported by the agent (includes work from other coordinators or before a restart). */
  reportedInFlight: number;
  /** Shards this pool has running there now (what scheduling counts). */
  inFlight: number;
  /** The pool's clock when the last heartbeat arrived. */
  lastSeen: number;
  lost: boolean;
  client: AgentServiceClient;
  /** Aborts every call this pool has running on the agent (used when it is declared lost). */
  calls: Set<() => void>;
}

export interface AgentDirectoryOptions {
  /** An agent is lost when no heartbeat came for this long, ms. @default 5000 */
  lostAfterMs?: number;
  /** How often to sweep, ms. @default 500 */
  sweepMs?: number;
  /** TLS for dialing agents. @default plain */
  tls?: TlsFiles;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

function num(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

export class AgentDirectory {
  readonly agents = new Map<string, RemoteAgent>();
  private readonly sub: Subscription;
  private readonly timer: NodeJS.Timeout;
  private readonly proto = loadAgentProto();
  private readonly now: () => number;
  private readonly lostAfterMs: number;
  /** When any heartbeat last arrived: if none did for lostAfterMs, the silence is ours (NATS down), not the agents'. */
  private lastAnyHeartbeat = 0;

  constructor(
    bus: EventBus,
    private readonly log: Logger,
    private readonly options: AgentDirectoryOptions,
    /** Called when agents appear, change or free up, so waiting shards can be placed. */
    private readonly onChange: () => void,
    /** Called with each agent the sweep declares lost. */
    private readonly onLost: (agent: RemoteAgent, why: string) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.lostAfterMs = options.lostAfterMs ?? 5_000;
    this.sub = bus.subscribe(subjects.agentHeartbeat, (m) => this.heartbeat(m.data));
    this.timer = setInterval(() => this.sweep(), options.sweepMs ?? 500);
    this.timer.unref();
  }

  private heartbeat(d: Record<string, unknown>): void {
    const id = str(d.id);
    const address = str(d.address);
    if (!id || !address) return;
    this.lastAnyHeartbeat = this.now();
    let agent = this.agents.get(id);
    if (d.leaving === true) {
      if (agent && !agent.lost) this.markLost(agent, "agent is shutting down");
      return;
    }
    if (agent && agent.address !== address) {
      // Same id, new process on a new address: the old channel is useless.
      if (!agent.lost) this.markLost(agent, `agent moved to ${address}`);
      agent.client.close();
      this.agents.delete(id);
      agent = undefined;
    }
    if (!agent) {
      const Client = this.proto.c2i.v1.AgentService;
      agent = {
        id, address, backend: "", svd: "", capacity: 1, cachedModels: [], reportedInFlight: 0, inFlight: 0, lastSeen: 0, lost: false,
        client: new Client(address, channelCredentials(this.options.tls), channelOptions()), calls: new Set(),
      };
      this.agents.set(id, agent);
      this.log.info({ agent: id, address }, "agent joined");
    } else if (agent.lost) {
      this.log.info({ agent: id, address }, "agent is back");
    }
    agent.lost = false;
    agent.lastSeen = this.now();
    agent.backend = str(d.backend);
    agent.svd = str(d.svd);
    agent.capacity = Math.max(1, Math.floor(num(d.capacity, 1)));
    agent.reportedInFlight = num(d.inFlight, 0);
    agent.cachedModels = Array.isArray(d.cachedModels) ? d.cachedModels.filter((m): m is string => typeof m === "string") : [];
    agent.memoryBudget = readMemoryBudgetReport(d.memoryBudget);
    this.onChange();
  }

  /**
   * Declares agents lost whose last heartbeat is older than lostAfterMs — unless no agent at all was
   * heard for that long: then this coordinator's own bus is down (a NATS blip) and cancelling every
   * running shard would be wrong. Dead agents are still caught by their failing gRPC calls.
   */
  sweep(): void {
    const now = this.now();
    if (now - this.lastAnyHeartbeat > this.lostAfterMs) return;
    for (const agent of this.agents.values()) {
      if (!agent.lost && now - agent.lastSeen > this.lostAfterMs) {
        this.markLost(agent, `no heartbeat for ${now - agent.lastSeen} ms`);
      }
    }
  }

  /** Takes an agent out of placement now (a failed connection); its next heartbeat brings it back. */
  suspect(agent: RemoteAgent, why: string): void {
    if (!agent.lost) this.markLost(agent, why);
  }

  private markLost(agent: RemoteAgent, why: string): void {
    agent.lost = true;
    this.log.warn({ agent: agent.id, address: agent.address, why }, "agent lost");
    for (const abort of [...agent.calls]) abort();
    this.onLost(agent, why);
  }

  info(): AgentInfo[] {
    return [...this.agents.values()]
      .map((a): AgentInfo => ({
        id: a.id, address: a.address, backend: a.backend, svd: a.svd,
        state: a.lost ? "lost" : a.inFlight > 0 || a.reportedInFlight > 0 ? "busy" : "idle",
        inFlight: Math.max(a.inFlight, a.reportedInFlight), capacity: a.capacity, cachedModels: [...a.cachedModels],
        ...(a.memoryBudget ? { memoryBudget: a.memoryBudget } : {}),
      }))
      .sort((x, y) => x.id.localeCompare(y.id));
  }

  close(): void {
    clearInterval(this.timer);
    this.sub.unsubscribe();
    for (const a of this.agents.values()) a.client.close();
    this.agents.clear();
  }
}

