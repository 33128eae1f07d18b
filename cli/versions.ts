// The versions written into result.json, the same for an embedded `c2i adapt` and a `c2i coordinator`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

function packageVersion(spec: string): string {
  try {
    return (JSON.parse(readFileSync(createRequire(import.meta.url).resolve(spec), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** c2i, Node.js and tfjs versions of this process. */
export function resultVersions(): Record<string, string> {
  return { c2i: packageVersion("../package.json"), node: process.version, tfjs: packageVersion("@tensorflow/tfjs/package.json") };
}
