// Shared set-up of the work tests: the generated demo checkpoint in a temp dir and the cpu backend.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../agent/compute/backend.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import type { Svd } from "../../agent/linalg/svd/types.ts";
import { silentLogger } from "../../common/log.ts";

export interface DemoFixture {
  root: string;
  model: string;
  dataset: string;
  svd: Svd;
  cleanup(): void;
}

/** The cpu backend (deterministic, no optional libraries) and a fresh demo under a temp dir. */
export async function demoFixture(): Promise<DemoFixture> {
  await selectBackend({ prefer: "cpu", blas: "off", logger: silentLogger() });
  const root = mkdtempSync(join(tmpdir(), "c2i-work-"));
  const { model, dataset } = writeDemo(root);
  return { root, model, dataset, svd: selectSvd({ prefer: "auto" }), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const PLANTED = "model.layers.0.mlp.down_proj.weight";
export const OTHER = "model.layers.0.self_attn.v_proj.weight";
