// Typed reads of config.json fields with errors that name the file and the field.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { previewJson } from "../../../common/preview.ts";

export class ConfigFields {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly source: string,
  ) {}

  /** The first present key among `keys`; error naming all of them when none is present and no fallback. */
  number(keys: string | readonly string[], fallback?: number): number {
    const list = typeof keys === "string" ? [keys] : keys;
    for (const key of list) {
      const value = this.raw[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${this.source}: field "${key}" must be a number, found ${previewJson(value)}`);
      }
      return value;
    }
    if (fallback !== undefined) return fallback;
    throw new C2iError(
      ErrorCode.CHECKPOINT_CORRUPT,
      `${this.source}: missing field ${list.map((k) => `"${k}"`).join(" or ")}; is this a complete Hugging Face config.json?`,
    );
  }

  string(key: string, fallback: string): string {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "string") {
      throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${this.source}: field "${key}" must be a string, found ${previewJson(value)}`);
    }
    return value;
  }

  /** Whether config.json sets `key` (null counts as unset, as in the typed reads). */
  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") {
      throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${this.source}: field "${key}" must be true or false, found ${previewJson(value)}`);
    }
    return value;
  }

  /** Rejects a setting the engine does not implement, instead of silently computing something else. */
  unsupported(key: string, allowed: (value: unknown) => boolean, what: string): void {
    const value = this.raw[key];
    if (value === undefined || value === null || allowed(value)) return;
    throw new C2iError(ErrorCode.UNSUPPORTED_ARCH, `${this.source}: ${key}=${previewJson(value)} is not supported (${what})`);
  }
}

/** The prefix among `prefixes` under which `probe` exists in the checkpoint ("" allowed); first one otherwise. */
export function detectPrefix(names: ReadonlySet<string>, prefixes: readonly string[], probe: string): string {
  for (const p of prefixes) if (names.has(p + probe)) return p;
  return prefixes[0]!;
}
