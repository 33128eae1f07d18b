// Pure scheduling choices: which agent takes a shard, and which waiting job goes next (fair share).

export interface AgentLoad {
  id: string;
  /** Shards this coordinator has running on the agent now. */
  inFlight: number;
  capacity: number;
  cachedModels: readonly string[];
  lost: boolean;
}

/**
 * The agent for a shard of `model`: only agents with a free slot; among them, agents that already
 * hold the model (cache affinity) first, then the lowest load (inFlight / capacity), then agents not
 * tried yet for this shard, then id order so equal situations choose the same agent.
 */
export function chooseAgent(agents: readonly AgentLoad[], model: string, tried: ReadonlySet<string> = new Set()): AgentLoad | undefined {
  let best: AgentLoad | undefined;
  let bestKey: [number, number, number, string] | undefined;
  for (const a of agents) {
    if (a.lost || a.inFlight >= a.capacity) continue;
    const key: [number, number, number, string] = [
      tried.has(a.id) ? 1 : 0,
      a.cachedModels.includes(model) ? 0 : 1,
      a.inFlight / Math.max(1, a.capacity),
      a.id,
    ];
    if (!bestKey || compare(key, bestKey) < 0) {
      best = a;
      bestKey = key;
    }
  }
  return best;
}

function compare(a: [number, number, number, string], b: [number, number, number, string]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0;
}

export interface WaitingJob {
  jobId: string;
  /** Shards of this job running now. */
  running: number;
  /** When the job last got an agent (a counter; 0 = never): ties go to the least recently served. */
  lastServed: number;
  /** Arrival order of the job's oldest waiting shard (smaller waited longer). */
  oldest: number;
}

/**
 * Fair share: the job with the fewest running shards goes next; among equals the one served least
 * recently (round robin), then the longest waiting. A job with many shards cannot starve a small one.
 */
export function nextJob(waiting: readonly WaitingJob[]): string | undefined {
  let best: WaitingJob | undefined;
  for (const w of waiting) {
    if (
      !best || w.running < best.running ||
      (w.running === best.running && (w.lastServed < best.lastServed || (w.lastServed === best.lastServed && w.oldest < best.oldest)))
    ) best = w;
  }
  return best?.jobId;
}

/** Delay before retry `attempt` (1-based): exponential from `baseMs`, capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
