// Resolve a model reference to a local checkpoint directory, downloading `hf:<org>/<name>[@rev]` into a cache.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { writeTextAtomic } from "./atomic.ts";
import { fetchRepoInfo, type RemoteFile } from "./hub/api.ts";
import { downloadFile, type DownloadOptions } from "./hub/download.ts";
import { withFileLock } from "./hub/lock.ts";
import { isCommitId, parseHubRef, type HubRef } from "./hub/ref.ts";
import { readShardIndex } from "./index-file.ts";

export { parseHubRef, type HubRef } from "./hub/ref.ts";

export interface HubOptions {
  /** Where snapshots live: `<cacheDir>/models--<org>--<name>/snapshots/<commit>/`. @default ~/.cache/c2i/hub */
  cacheDir?: string;
  /** @default "https://huggingface.co" */
  endpoint?: string;
  /** Bearer token for private or gated repos. @default none */
  token?: string;
  /** Attempts per file, each resuming the `.part` left by the one before. @default 5 */
  attempts?: number;
  /** Linear back-off step between attempts. @default 1000 */
  retryDelayMs?: number;
  /** Abort a request when no byte arrives for this long. @default 60000 */
  timeoutMs?: number;
  /** Logs downloads, retries and offline fallbacks. @default silent */
  logger?: Logger;
}

/** Small files that come with a model when the repo has them. */
const COMPANIONS = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "tokenizer.model",
  "vocab.json",
  "merges.txt",
];
const COMPLETE_MARKER = ".c2i-complete";

export function defaultCacheDir(): string {
  return join(homedir(), ".cache", "c2i", "hub");
}

function repoDir(cacheDir: string, ref: HubRef): string {
  return join(cacheDir, `models--${ref.repo.replace("/", "--")}`);
}

/** `refs/<revision>` holds the commit a branch or tag pointed at when last fetched. */
function refFile(cacheDir: string, ref: HubRef): string {
  return join(repoDir(cacheDir, ref), "refs", ref.revision.replaceAll("/", "%2F"));
}

/** A complete snapshot for `ref` already in the cache, or null. */
function cachedSnapshot(cacheDir: string, ref: HubRef): string | null {
  const base = repoDir(cacheDir, ref);
  const file = refFile(cacheDir, ref);
  const commit = isCommitId(ref.revision) ? ref.revision : existsSync(file) ? readFileSync(file, "utf8").trim() : null;
  if (!commit || !/^[A-Za-z0-9._-]+$/.test(commit)) return null;
  const dir = join(base, "snapshots", commit);
  return existsSync(join(dir, COMPLETE_MARKER)) ? dir : null;
}

/** The weight files to fetch: model.safetensors, else the index (its shards are picked after it arrives), else every top-level .safetensors. */
function weightFiles(files: RemoteFile[], ref: HubRef): RemoteFile[] {
  const top = files.filter((f) => !f.name.includes("/"));
  const single = top.find((f) => f.name === "model.safetensors");
  if (single) return [single];
  const index = top.find((f) => f.name === "model.safetensors.index.json");
  if (index) return [index];
  const any = top.filter((f) => f.name.endsWith(".safetensors"));
  if (any.length > 0) return any;
  throw new C2iError(
    ErrorCode.DOWNLOAD_FAILED,
    `hf:${ref.repo}@${ref.revision} has no .safetensors weights (only ${top.map((f) => f.name).join(", ") || "nothing"}); c2i reads safetensors only`,
  );
}

/** Download (or find in the cache) the model files of a hub repo revision; returns the snapshot directory. */
export async function downloadModel(ref: HubRef, options: HubOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.logger;
  if (isCommitId(ref.revision)) {
    const hit = cachedSnapshot(cacheDir, ref);
    if (hit) return hit;
  }
  const http: DownloadOptions = {
    endpoint: (options.endpoint ?? "https://huggingface.co").replace(/\/+$/, ""),
    token: options.token,
    timeoutMs: options.timeoutMs ?? 60_000,
    attempts: options.attempts ?? 5,
    retryDelayMs: options.retryDelayMs ?? 1000,
    onRetry: (file, attempt, error) => log?.warn({ repo: ref.repo, file, attempt, err: error.message }, "download interrupted; resuming"),
  };
  let info;
  try {
    info = await fetchRepoInfo(ref, http);
  } catch (e) {
    const hit = cachedSnapshot(cacheDir, ref);
    if (hit && e instanceof C2iError && e.code === ErrorCode.DOWNLOAD_FAILED) {
      log?.warn({ repo: ref.repo, revision: ref.revision, err: e.message }, "hub unreachable; using the cached snapshot");
      return hit;
    }
    throw e;
  }
  if (!/^[A-Za-z0-9._-]+$/.test(info.commit) || info.commit.includes("..")) {
    throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `hf:${ref.repo}: the hub answered an invalid commit id ${JSON.stringify(info.commit)}`);
  }
  const base = repoDir(cacheDir, ref);
  const dir = join(base, "snapshots", info.commit);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, COMPLETE_MARKER))) {
    const wanted = [...info.files.filter((f) => COMPANIONS.includes(f.name)), ...weightFiles(info.files, ref)];
    const fetchOne = async (f: RemoteFile) => {
      const target = join(dir, f.name);
      if (existsSync(target)) return;
      await withFileLock(target, async () => {
        if (existsSync(target)) return; // another process finished it while we waited
        log?.info({ repo: ref.repo, file: f.name, bytes: f.size }, "downloading");
        await downloadFile(ref, f, target, http);
      });
    };
    for (const f of wanted) await fetchOne(f);
    if (wanted.some((f) => f.name === "model.safetensors.index.json")) {
      const shards = new Set(readShardIndex(join(dir, "model.safetensors.index.json")).weightMap.values());
      for (const shard of shards) {
        const remote = info.files.find((f) => f.name === shard);
        if (!remote) throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `hf:${ref.repo}: the index names shard ${shard}, which the repo does not have`);
        await fetchOne(remote);
      }
    }
    writeTextAtomic(join(dir, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  }
  if (!isCommitId(ref.revision)) {
    mkdirSync(join(base, "refs"), { recursive: true });
    writeTextAtomic(refFile(cacheDir, ref), info.commit);
  }
  return dir;
}

/**
 * A model reference as a local path: `hf:<org>/<name>[@revision]` is downloaded into the cache
 * (resumable, checksummed); any other string is a local path, returned as-is once it exists.
 */
export async function resolveModelRef(ref: string, options: HubOptions = {}): Promise<string> {
  const hub = parseHubRef(ref);
  if (hub) return downloadModel(hub, options);
  if (!existsSync(ref)) throw new C2iError(ErrorCode.NOT_FOUND, `model path ${ref} does not exist (use hf:<org>/<name> for a hub model)`);
  return ref;
}
