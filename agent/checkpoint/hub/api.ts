// The hub's model-info API: which files a repo revision has, with sizes and checksums.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { HubRef } from "./ref.ts";

export interface RemoteFile {
  /** Path inside the repo, e.g. "model.safetensors". */
  name: string;
  size?: number;
  /** sha256 of the content (LFS files). */
  sha256?: string;
  /** Git blob sha1 (for non-LFS files it checks the content). */
  gitSha1?: string;
}

export interface RepoInfo {
  /** The commit the revision points at (or the revision itself when the API does not say). */
  commit: string;
  files: RemoteFile[];
}

export interface HttpOptions {
  endpoint: string;
  token?: string;
  timeoutMs: number;
}

export function authHeaders(options: HttpOptions): Record<string, string> {
  return options.token ? { authorization: `Bearer ${options.token}` } : {};
}

/** Map a failed HTTP status to the error a person can act on. */
export function statusError(status: number, url: string, ref: HubRef): C2iError {
  if (status === 401 || status === 403) {
    return new C2iError(ErrorCode.UNAUTHENTICATED, `${url} answered ${status}: hf:${ref.repo} is private or gated; pass a token (--hf-token or HF_TOKEN) that has access`);
  }
  if (status === 404) {
    return new C2iError(ErrorCode.NOT_FOUND, `${url} answered 404: no repo hf:${ref.repo} at revision "${ref.revision}"; check the name and revision`);
  }
  return new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url} answered HTTP ${status}; retry later`);
}

export async function fetchRepoInfo(ref: HubRef, options: HttpOptions): Promise<RepoInfo> {
  const url = `${options.endpoint}/api/models/${ref.repo}/revision/${encodeURIComponent(ref.revision)}?blobs=true`;
  let res: Response;
  try {
    res = await fetch(url, { headers: authHeaders(options), signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (e) {
    throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `cannot reach ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw statusError(res.status, url, ref);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url} did not return JSON: ${(e as Error).message}`, { cause: e });
  }
  const { sha, siblings } = (body ?? {}) as { sha?: unknown; siblings?: unknown };
  if (!Array.isArray(siblings)) throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url} returned no "siblings" file list`);
  const files: RemoteFile[] = [];
  for (const s of siblings as Record<string, unknown>[]) {
    if (typeof s?.rfilename !== "string") continue;
    const lfs = (s.lfs ?? undefined) as { sha256?: unknown; size?: unknown } | undefined;
    const size = typeof lfs?.size === "number" ? lfs.size : typeof s.size === "number" ? s.size : undefined;
    files.push({
      name: s.rfilename,
      size,
      sha256: typeof lfs?.sha256 === "string" ? lfs.sha256.toLowerCase() : undefined,
      gitSha1: !lfs && typeof s.blobId === "string" ? s.blobId.toLowerCase() : undefined,
    });
  }
  return { commit: typeof sha === "string" && sha.length > 0 ? sha : ref.revision, files };
}
