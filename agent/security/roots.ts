// Agents open model and dataset paths only under configured roots; realpath catches symlinks out.
import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { WorkRef } from "../../common/shards.ts";

export interface RootsOptions {
  /** Where `hf:<org>/<name>` models are downloaded; must lie under a root. @default "<first root>/.cache/hf" */
  hfCacheDir?: string;
}

/** A dataset ref may carry a format prefix (`counterfact:/data/cf.json`); the rest is the path. */
const SCHEME = /^([a-z][a-z0-9+_-]{1,31}):(.*)$/i;
const HF_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

export class AllowedRoots {
  readonly roots: readonly string[];
  readonly hfCacheDir: string;

  /** `dirs` must exist; they are stored as real paths so later comparisons see through symlinks. */
  constructor(dirs: readonly string[], options: RootsOptions = {}) {
    if (dirs.length === 0) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, "an agent needs at least one allowed root directory (--roots DIR[,DIR] or C2I_ROOTS)");
    }
    this.roots = dirs.map((d) => {
      if (!existsSync(d) || !statSync(d).isDirectory()) {
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `allowed root "${d}" is not an existing directory (check --roots)`);
      }
      return realpathSync(d);
    });
    const cache = resolve(options.hfCacheDir ?? resolve(this.roots[0]!, ".cache", "hf"));
    if (!this.roots.some((r) => inside(r, existsSync(cache) ? realpathSync(cache) : cache))) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `hf cache "${cache}" must lie under an allowed root (${this.roots.join(", ")})`);
    }
    this.hfCacheDir = cache;
  }

  /**
   * The real absolute path of `path` (relative paths are taken from each root in turn), or
   * PATH_NOT_ALLOWED when it resolves outside every root — through `..`, an absolute path
   * elsewhere, or a symlink pointing out.
   */
  resolvePath(path: string, what: string): string {
    const refuse = (real: string) =>
      new C2iError(
        ErrorCode.PATH_NOT_ALLOWED,
        `${what} path "${path}" resolves to "${real}", outside this agent's allowed roots (${this.roots.join(", ")}); ` +
          "put the file under a root or start the agent with --roots including its directory",
      );
    const candidates = isAbsolute(path) ? [resolve(path)] : this.roots.map((r) => resolve(r, path));
    let firstMissing: string | undefined;
    for (const lexical of candidates) {
      if (!existsSync(lexical)) {
        // Report a missing file only when it would have been allowed; never probe outside.
        if (firstMissing === undefined && this.roots.some((r) => inside(r, lexical))) firstMissing = lexical;
        else if (firstMissing === undefined && isAbsolute(path)) throw refuse(lexical);
        continue;
      }
      const real = realpathSync(lexical);
      if (this.roots.some((r) => inside(r, real))) return real;
      throw refuse(real);
    }
    if (firstMissing !== undefined) {
      throw new C2iError(ErrorCode.NOT_FOUND, `${what} "${path}" does not exist under the agent's roots (looked at ${firstMissing})`);
    }
    throw refuse(candidates[0]!);
  }

  /** A model ref: `hf:<org>/<name>` (downloaded into the cache under a root) or a checkpoint path. */
  resolveModel(ref: string): string {
    if (ref.startsWith("hf:")) {
      const name = ref.slice(3);
      if (!HF_NAME.test(name) || name.split("/").some((t) => t === "." || t === "..")) {
        throw new C2iError(ErrorCode.PATH_NOT_ALLOWED, `model ref "${ref}" is not a hub id of the form hf:<org>/<name>`);
      }
      return ref;
    }
    return this.resolvePath(ref, "model");
  }

  /** A dataset ref: a path, optionally behind a format prefix (`counterfact:/path`), kept in the result. */
  resolveDataset(ref: string): string {
    const m = SCHEME.exec(ref);
    if (m && !isAbsolute(ref) && m[1]!.length > 1) return `${m[1]}:${this.resolvePath(m[2]!, "dataset")}`;
    return this.resolvePath(ref, "dataset");
  }

  /** The ref with model and dataset replaced by their checked real paths. */
  checkWorkRef(ref: WorkRef): WorkRef {
    return { ...ref, model: this.resolveModel(ref.model), dataset: this.resolveDataset(ref.dataset) };
  }
}
