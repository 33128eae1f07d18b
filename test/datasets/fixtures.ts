// Test helpers for the named datasets: native-format files in a temp directory, and the C2iError a bad file raises.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { C2iError } from "../../common/errors.ts";
import { tempDir } from "../tokenizers/fixtures.ts";

export interface NativeFiles {
  dir: string;
  /** Write `text` at `name` (subfolders created) and return its path. */
  write(name: string, text: string): string;
  remove(): void;
}

export function nativeFiles(prefix: string): NativeFiles {
  const tmp = tempDir(prefix);
  let n = 0;
  return {
    dir: tmp.dir,
    write(name, text) {
      const path = join(tmp.dir, `${n++}`, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    remove: tmp.remove,
  };
}

export const jsonl = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join("\n") + "\n";

export function failure(f: () => unknown): C2iError {
  try {
    f();
  } catch (e) {
    if (e instanceof C2iError) return e;
    throw e;
  }
  throw new Error("expected a C2iError");
}

/** ../shared/data next to the repository: real native files, when this machine has them. */
export const SHARED_DATA = resolve(import.meta.dirname, "../../../shared/data");

/** The real copy of a dataset (`../shared/data/<name>`), or undefined with the reason the real-file test skips. */
export function realData(name: string): string | undefined {
  const path = join(SHARED_DATA, name);
  return existsSync(path) ? path : undefined;
}
