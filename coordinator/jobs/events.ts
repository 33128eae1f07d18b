// The progress events a job publishes on `c2i.job.<id>.<event>`: their names and payloads, in one place.
import type { Candidate } from "../../common/shards.ts";
import type { JobState } from "../store/types.ts";

export const JobEvent = {
  /** The job's state changed: queued, running, succeeded, failed, cancelled. */
  state: "state",
  /** A phase started or finished. */
  phase: "phase",
  /** A shard finished: done/total, ETA, best so far. */
  progress: "progress",
} as const;
export type JobEvent = (typeof JobEvent)[keyof typeof JobEvent];

export interface StateEvent {
  job: string;
  state: JobState;
  error?: string;
}

export interface PhaseEvent {
  job: string;
  phase: string;
  status: "started" | "finished";
  /** 1-based position of the phase and the number of phases. */
  index: number;
  of: number;
  shards: number;
  /** Shards already stored from an earlier run (resume). */
  reused: number;
  ms?: number;
}

export interface BestSoFar {
  candidate: Candidate;
  accuracy: number;
  loss: number;
}

export interface ProgressEvent {
  job: string;
  phase: string;
  done: number;
  total: number;
  /** Estimated milliseconds left in this phase, from the mean shard time so far; undefined before the first shard. */
  etaMs?: number;
  /** Baseline accuracy on the selection set, once known. */
  baseline?: number;
  best?: BestSoFar;
}
