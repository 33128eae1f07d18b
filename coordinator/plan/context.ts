// What a job knows after each phase: plain data, rebuilt phase by phase from stored shard results on resume.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Candidate, CandidateMatrix, EditDetails, Evaluation, PrepareResult, SampleSelection } from "../../common/shards.ts";
import type { RankedScore } from "./candidates.ts";
import type { SetMetrics } from "./metrics.ts";
import type { JobSpec } from "./spec.ts";

export interface JobSets {
  /** Where candidates are evaluated and the winner chosen ("adapt" or "validation"). */
  selection: SampleSelection;
  /** Held out: reported, never used to choose. */
  test: SampleSelection;
  /** The samples of the gradient pass (present when the strategy scores matrices). */
  adapt?: SampleSelection;
}

export interface Chosen {
  /** `null` = "no edit": nothing beat the unmodified model on the selection set. */
  candidate: Candidate | null;
  keptRanks?: number[];
  /** The recipe's inputs beyond the candidate (fwsvd/asvd scales, K-subspaces settings), from the finalize shard. */
  details?: EditDetails;
  selection: SetMetrics;
  test: SetMetrics;
}

export interface JobContext {
  jobId: string;
  spec: JobSpec;
  prepared?: PrepareResult;
  /** Candidate matrices after the layer/kind filter, in the model's order. */
  matrices?: CandidateMatrix[];
  /** Position of every candidate matrix in the model's list: the last deterministic tie-break. */
  matrixOrder?: Map<string, number>;
  sets?: JobSets;
  baseline?: { selection: SetMetrics; test: SetMetrics };
  /** Loss of the unmodified model on the adaptation set, as the gradient pass saw it. */
  gradientLoss?: number;
  scores?: RankedScore[];
  candidates?: Candidate[];
  evaluations?: Evaluation[];
  chosen?: Chosen;
}

export function need<K extends keyof JobContext>(ctx: JobContext, key: K, phase: string): NonNullable<JobContext[K]> {
  const v = ctx[key];
  if (v === undefined) throw new C2iError(ErrorCode.INTERNAL, `phase ${phase} needs ${String(key)} from an earlier phase: the phase plan is out of order`);
  return v as NonNullable<JobContext[K]>;
}
