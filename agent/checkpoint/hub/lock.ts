// One downloader per file across processes: an exclusive `<file>.lock` holding the owner's pid; dead owners' locks are taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryAcquire(lock: string): boolean {
  try {
    const fd = openSync(lock, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    let owner = NaN;
    try {
      owner = Number(readFileSync(lock, "utf8"));
    } catch {
      return false; // released between our open and read: try again next round
    }
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
    rmSync(lock, { force: true }); // owner died (or wrote nothing): take over
    return false;
  }
}

/**
 * Run `fn` holding `<target>.lock`. While another live process (or another call in this process)
 * holds it, poll every `pollMs` until it is released or `waitMs` passes.
 */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: { pollMs?: number; waitMs?: number } = {}): Promise<T> {
  const lock = `${target}.lock`;
  const deadline = Date.now() + (options.waitMs ?? 30 * 60_000);
  while (!tryAcquire(lock)) {
    if (Date.now() > deadline) {
      throw new C2iError(ErrorCode.DOWNLOAD_FAILED, `${target} is still being downloaded by another process (${lock}); remove the lock if no download is running`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
