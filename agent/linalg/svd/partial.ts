// Trailing-only SVD results (`SvdResult.partial`): the checks that let them serve scores and refuse everything else.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { PartialSvd } from "./types.ts";

/**
 * Refuses a trailing-only part: truncation keeps the *leading* triplets, which it does not hold. `what` names the
 * part in the message (e.g. "part 1").
 */
export function assertComplete(svd: { s: ArrayLike<number>; partial?: PartialSvd }, what: string): void {
  if (!svd.partial) return;
  throw new C2iError(
    ErrorCode.INVALID_ARGUMENT,
    `${what} holds only its ${svd.s.length} smallest of ${svd.partial.rank} singular triplets (a SmallestSvd factorization, for scores); ` +
      `truncation needs every triplet: factor with a full Svd (factorMatrix without partSvd)`,
  );
}

/**
 * Refuses a trailing-only part that holds fewer than the min(smallest, rank) triplets a score reads: it would
 * silently score fewer directions than asked.
 */
export function assertCoversSmallest(svd: { s: ArrayLike<number>; partial?: PartialSvd }, smallest: number, what: string): void {
  if (!svd.partial) return;
  const need = Math.min(smallest, svd.partial.rank);
  if (svd.s.length >= need) return;
  throw new C2iError(
    ErrorCode.INVALID_ARGUMENT,
    `${what} holds its ${svd.s.length} smallest singular triplets but smallest = ${smallest} needs ${need}; factor with SmallestSvd's smallest ≥ ${smallest}`,
  );
}
