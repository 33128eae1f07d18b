// Files appear whole or not at all: write beside the target under a temporary name, fsync, then rename.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A temporary name in the target's directory (same filesystem, so the rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

/**
 * Write `target` through `fill(write)`; `write` appends bytes. On any error the temporary file is
 * removed and the target is untouched.
 */
export function writeFileAtomic(target: string, fill: (write: (bytes: Uint8Array) => void) => void): void {
  const tmp = tempPathFor(target);
  const fd = openSync(tmp, "w");
  let ok = false;
  try {
    fill((bytes) => {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    });
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(tmp, { force: true });
  }
  renameSync(tmp, target);
}

export function writeTextAtomic(target: string, text: string): void {
  writeFileAtomic(target, (write) => write(new TextEncoder().encode(text)));
}
