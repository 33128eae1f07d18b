// A content fingerprint of a checkpoint (config.json bytes + every tensor's name, dtype, shape and bytes), for recipes.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openCheckpoint, resolveCheckpointFiles } from "./checkpoint.ts";

/**
 * sha256 (hex) over config.json's bytes and, for each tensor sorted by name, a length-prefixed
 * record of name, dtype, shape and stored bytes (streamed: no tensor is held whole). The same
 * weights stored in another shard layout give the same fingerprint; another dtype does not.
 */
export function fingerprintCheckpoint(dir: string): string {
  const hash = createHash("sha256");
  const field = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(bytes.length));
    hash.update(len).update(bytes);
  };
  field("c2i-checkpoint-fingerprint-v1");
  const config = join(resolveCheckpointFiles(dir).dir, "config.json");
  if (existsSync(config)) {
    const bytes = readFileSync(config);
    field(`config.json:${bytes.length}`);
    hash.update(bytes);
  } else {
    field("no config.json");
  }
  const ckpt = openCheckpoint(dir);
  try {
    const all = [...ckpt.names().map((n) => ckpt.entry(n)), ...ckpt.others()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const t of all) {
      field(t.name);
      field(`${t.dtype}[${t.shape.join(",")}]:${t.end - t.begin}`);
      for (const chunk of ckpt.rawChunks(t.name)) hash.update(chunk);
    }
  } finally {
    ckpt.close();
  }
  return hash.digest("hex");
}
