// What a checkpoint holds, for people and scripts: tensors, parameter count, config model_type.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { openCheckpoint, resolveCheckpointFiles } from "./checkpoint.ts";

export interface CheckpointSummary {
  path: string;
  /** `model_type` from config.json, or null when there is no config.json. */
  modelType: string | null;
  architectures: string[];
  sharded: boolean;
  /** Elements of all tensors (float and other). */
  parameters: number;
  bytes: number;
  tensors: { name: string; dtype: string; shape: number[] }[];
  metadata: Record<string, string>;
}

function readConfig(dir: string): Record<string, unknown> | null {
  const file = join(dir, "config.json");
  if (!existsSync(file)) return null;
  try {
    const raw = JSON.parse(readFileSync(file, "utf8"));
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("not a JSON object");
    return raw as Record<string, unknown>;
  } catch (e) {
    throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: cannot parse (${(e as Error).message}); fix or re-download config.json`, { cause: e });
  }
}

/** Open (and so fully validate the headers of) a checkpoint and summarise it. */
export function describeCheckpoint(pathToDirOrFile: string): CheckpointSummary {
  const files = resolveCheckpointFiles(pathToDirOrFile);
  const config = readConfig(files.dir);
  const ckpt = openCheckpoint(pathToDirOrFile);
  try {
    const all = [...ckpt.names().map((n) => ckpt.entry(n)), ...ckpt.others()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      path: files.file,
      modelType: typeof config?.model_type === "string" ? config.model_type : null,
      architectures: Array.isArray(config?.architectures) ? (config.architectures as unknown[]).map(String) : [],
      sharded: files.sharded,
      parameters: all.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0),
      bytes: all.reduce((sum, t) => sum + (t.end - t.begin), 0),
      tensors: all.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
      metadata: ckpt.metadata(),
    };
  } finally {
    ckpt.close();
  }
}
