// Read `model.safetensors.index.json`: which shard file holds each tensor.
import { readFileSync } from "node:fs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";

export interface ShardIndex {
  /** tensor name → shard file name (relative to the index's directory) */
  weightMap: Map<string, string>;
  /** The index's `metadata` object with every value as a string. */
  metadata: Record<string, string>;
}

export function readShardIndex(file: string): ShardIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: cannot read the shard index (${(e as Error).message}); re-download it`, { cause: e });
  }
  const bad = (what: string) => new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: ${what}; re-download the shard index`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("not a JSON object");
  const { weight_map: map, metadata } = raw as Record<string, unknown>;
  if (typeof map !== "object" || map === null || Array.isArray(map)) throw bad(`"weight_map" is missing or not an object`);
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== "string" || shard.length === 0 || shard.includes("/") || shard.includes("\\") || shard.startsWith(".")) {
      throw bad(`weight_map["${name}"] is not a plain shard file name: ${previewJson(shard)}`);
    }
    weightMap.set(name, shard);
  }
  const meta: Record<string, string> = {};
  if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
    for (const [k, v] of Object.entries(metadata as Record<string, unknown>)) {
      try {
        meta[k] = typeof v === "string" ? v : JSON.stringify(v);
      } catch {
        throw bad(`metadata["${k}"] is nested too deeply to read`);
      }
    }
  }
  return { weightMap, metadata: meta };
}
