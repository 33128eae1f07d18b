// One file from the hub: follow redirects, resume a `.part` with Range, verify size and checksum, rename into place.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { authHeaders, statusError, type HttpOptions, type RemoteFile } from "./api.ts";
import type { HubRef } from "./ref.ts";

export interface DownloadOptions extends HttpOptions {
  /** Attempts per file; each resumes from what the previous one wrote. */
  attempts: number;
  /** Pause before attempt i (1-based) is retryDelayMs · (i − 1). */
  retryDelayMs: number;
  /** Called after each failed attempt that will be retried. */
  onRetry?: (file: string, attempt: number, error: Error) => void;
}

async function digest(file: string, algorithm: "sha256" | "sha1", prefix?: string): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Errors that another attempt cannot fix (the bytes are wrong, not cut short). */
const final = new WeakSet<Error>();

/** Check a finished `.part` against what the API promised; a mismatch deletes it. */
async function verify(part: string, remote: RemoteFile, url: string): Promise<void> {
  const size = statSync(part).size;
  const fail = (what: string) => {
    rmSync(part, { force: true });
    const e = new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url}: ${what}; the partial download was deleted, run the command again`);
    final.add(e);
    return e;
  };
  if (remote.size !== undefined && size !== remote.size) throw fail(`got ${size} bytes, the hub lists ${remote.size}`);
  if (remote.sha256) {
    const got = await digest(part, "sha256");
    if (got !== remote.sha256) throw fail(`sha256 ${got} does not match the hub's ${remote.sha256}`);
  } else if (remote.gitSha1) {
    const got = await digest(part, "sha1", `blob ${size}\0`);
    if (got !== remote.gitSha1) throw fail(`git blob id ${got} does not match the hub's ${remote.gitSha1}`);
  }
}

/** One HTTP attempt: append to `part` from its current length. Returns when the body is complete. */
async function attempt(url: string, part: string, remote: RemoteFile, ref: HubRef, options: DownloadOptions): Promise<void> {
  const have = existsSync(part) ? statSync(part).size : 0;
  if (remote.size !== undefined && have === remote.size) return;
  if (remote.size !== undefined && have > remote.size) rmSync(part);
  const from = remote.size !== undefined && have > remote.size ? 0 : have;
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(new Error(`no data for ${options.timeoutMs} ms`)), options.timeoutMs);
  try {
    const res = await fetch(url, {
      headers: { ...authHeaders(options), ...(from > 0 ? { range: `bytes=${from}-` } : {}) },
      redirect: "follow",
      signal: idle.signal,
    });
    if (res.status === 416) {
      await res.body?.cancel();
      rmSync(part, { force: true }); // our part is longer than the file: start over
      throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url}: range ${from}- not satisfiable`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw statusError(res.status, url, ref);
    }
    const append = from > 0 && res.status === 206;
    const start = /^bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1];
    if (append && start !== undefined && Number(start) !== from) {
      await res.body?.cancel();
      rmSync(part, { force: true });
      throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url}: asked for bytes from ${from}, got a range from ${start}; restarting the file`);
    }
    const fd = openSync(part, append ? "a" : "w"); // 200 to a Range request: the server sent it all again
    try {
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          clearTimeout(timer);
          timer = setTimeout(() => idle.abort(new Error(`no data for ${options.timeoutMs} ms`)), options.timeoutMs);
          let done = 0;
          while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
        }
      }
    } finally {
      closeSync(fd);
    }
  } finally {
    clearTimeout(timer);
  }
}

function permanent(e: unknown): boolean {
  return e instanceof C2iError && (final.has(e) || e.code === ErrorCode.NOT_FOUND || e.code === ErrorCode.UNAUTHENTICATED);
}

/**
 * Download `remote` from `{endpoint}/{repo}/resolve/{revision}/{name}` to `target`, through
 * `target + ".part"`. Network failures are retried, each attempt resuming where the last stopped.
 */
export async function downloadFile(ref: HubRef, remote: RemoteFile, target: string, options: DownloadOptions): Promise<void> {
  const url = `${options.endpoint}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/${remote.name.split("/").map(encodeURIComponent).join("/")}`;
  const part = `${target}.part`;
  let last: unknown;
  for (let i = 1; i <= options.attempts; i++) {
    try {
      await attempt(url, part, remote, ref, options);
      if (remote.size !== undefined && statSync(part).size < remote.size) {
        throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `${url}: connection ended after ${statSync(part).size} of ${remote.size} bytes`);
      }
      await verify(part, remote, url);
      renameSync(part, target);
      return;
    } catch (e) {
      last = e;
      if (permanent(e)) throw e;
      if (i < options.attempts) {
        options.onRetry?.(remote.name, i, e as Error);
        if (options.retryDelayMs > 0) await new Promise((r) => setTimeout(r, options.retryDelayMs * i));
      }
    }
  }
  throw new C2iError(
    ErrorCode.DOWNLOAD_FAILED,
    `${url}: failed after ${options.attempts} attempts (${(last as Error).message}); run again to resume from ${part}`,
    { cause: last },
  );
}
