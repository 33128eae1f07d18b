// `--model demo` / `--dataset demo`: the CLI edge turns the word "demo" into the cached generated demo's paths.
import { homedir } from "node:os";
import { join } from "node:path";
import { ensureDemo } from "./write.ts";

export const DEMO_REF = "demo";

/** Default cache root of generated data. */
export function defaultCacheDir(): string {
  return join(homedir(), ".cache", "c2i");
}

/** Replaces "demo" in either reference by the demo's model directory / dataset file (generated once). */
export function resolveDemoRefs(model: string, dataset: string, cacheDir: string = defaultCacheDir()): { model: string; dataset: string } {
  if (model !== DEMO_REF && dataset !== DEMO_REF) return { model, dataset };
  const demo = ensureDemo(cacheDir);
  return { model: model === DEMO_REF ? demo.model : model, dataset: dataset === DEMO_REF ? demo.dataset : dataset };
}
