// Model references: `hf:<org>/<name>[@revision]` names a Hugging Face hub repo; anything else is a local path.
import { C2iError, ErrorCode } from "../../../common/errors.ts";

export interface HubRef {
  /** "org/name" */
  repo: string;
  /** branch, tag or commit. @default "main" */
  revision: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The hub reference in `ref`, or null when `ref` is not an `hf:` reference. */
export function parseHubRef(ref: string): HubRef | null {
  if (!ref.startsWith("hf:")) return null;
  const body = ref.slice(3);
  const at = body.indexOf("@");
  const repo = at < 0 ? body : body.slice(0, at);
  const revision = at < 0 ? "main" : body.slice(at + 1);
  const parts = repo.split("/");
  if (parts.length !== 2 || !parts.every((p) => PART.test(p) && !p.includes(".."))) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `model reference "${ref}" is not hf:<org>/<name>[@revision]`);
  }
  if (revision.length === 0 || revision.includes("..") || /[\s\\]/.test(revision)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `model reference "${ref}" has an invalid revision "${revision}"`);
  }
  return { repo, revision };
}

/** A full commit id never moves, so a complete snapshot for it needs no network. */
export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}
