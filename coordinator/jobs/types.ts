// The JobService seam: what the CLI and the gRPC CoordinatorService call (SubmitJob, GetJob, WatchJob, CancelJob, ListJobs).
import type { Subscription } from "../events/types.ts";
import type { JobSpecInput } from "../plan/spec.ts";
import type { JobRecord } from "../store/types.ts";

export interface JobService {
  /** Validate the spec, store the job as queued and start it; resolves once it is stored. */
  submit(spec: JobSpecInput): Promise<JobRecord>;
  /** Throws NOT_FOUND for an unknown id. */
  get(id: string): Promise<JobRecord>;
  list(): Promise<JobRecord[]>;
  /** Cancel a queued or running job; a finished job is returned unchanged. */
  cancel(id: string): Promise<JobRecord>;
  /** Events of one job (`state`, `phase`, `progress`; see jobs/events.ts) as they are published. */
  watch(id: string, onEvent: (event: string, data: Record<string, unknown>) => void): Subscription;
  /** Resolves with the record once the job is succeeded, failed or cancelled. */
  wait(id: string): Promise<JobRecord>;
  /** Start every stored unfinished job not running here (after a coordinator restart); returns their ids. */
  resumeUnfinished(): Promise<string[]>;
  /** Stop local runs, leaving them resumable; does not close the injected store, bus or pool. */
  close(): Promise<void>;
}
