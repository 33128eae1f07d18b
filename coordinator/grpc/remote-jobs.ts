// The part of JobService a client drives (submit, watch, wait, cancel), served by a remote
// coordinator: lets `c2i adapt --coordinator ADDR` run its embedded loop against a cluster unchanged.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Subscription } from "../events/types.ts";
import { JobEvent } from "../jobs/events.ts";
import { isTerminal } from "../jobs/service.ts";
import type { JobService } from "../jobs/types.ts";
import type { JobSpecInput } from "../plan/spec.ts";
import type { JobRecord } from "../store/types.ts";
import type { CoordinatorClient } from "./client.ts";

export type ClientJobService = Pick<JobService, "submit" | "get" | "list" | "cancel" | "watch" | "wait" | "close">;

export class RemoteJobService implements ClientJobService {
  constructor(private readonly client: CoordinatorClient) {}

  submit(spec: JobSpecInput): Promise<JobRecord> {
    return this.client.submit(spec as unknown as Record<string, unknown>);
  }

  get(id: string): Promise<JobRecord> {
    return this.client.get(id);
  }

  list(): Promise<JobRecord[]> {
    return this.client.list();
  }

  cancel(id: string): Promise<JobRecord> {
    return this.client.cancel(id);
  }

  /** Streams the job's events to `onEvent` until it ends or the subscription is dropped. */
  watch(id: string, onEvent: (event: string, data: Record<string, unknown>) => void): Subscription {
    const ac = new AbortController();
    void (async () => {
      try {
        for await (const e of this.client.watch(id, ac.signal)) onEvent(e.event, e.data);
      } catch {
        // A broken watch only loses progress display; `wait` still learns the outcome.
      }
    })();
    return { unsubscribe: () => ac.abort() };
  }

  /** Follows the job until it ends; re-watches when the stream breaks (coordinator restart). */
  async wait(id: string): Promise<JobRecord> {
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const e of this.client.watch(id)) if (e.event === JobEvent.state && isTerminal(String(e.data.state))) break;
        const r = await this.client.get(id);
        if (isTerminal(r.state)) return r;
      } catch (e) {
        if (e instanceof C2iError && (e.code === ErrorCode.NOT_FOUND || e.code === ErrorCode.UNAUTHENTICATED) ) throw e;
        if (attempt >= 60) throw e;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
