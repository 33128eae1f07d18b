// Backend selection: which backend wins, why the others did not, and what an impossible preference does.
import * as tf from "@tensorflow/tfjs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";

function capturingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void out.push(s) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("selectBackend", () => {
  it("falls back past the native TensorFlow packages (not installed here) to wasm, in one log line", async () => {
    const { logger, lines } = capturingLogger();
    const chosen = await selectBackend({ logger, blas: "off" });
    expect(chosen.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(chosen.skipped.map((s) => s.kind)).toEqual(["tensorflow-gpu", "tensorflow"]);
    expect(chosen.gapKernels).toEqual(expect.arrayContaining(["UnsortedSegmentSum", "BatchMatMul"]));
    expect(lines()).toHaveLength(1);
    expect(lines()[0]!["msg"]).toMatch(/tfjs backend: wasm \(skipped tensorflow-gpu: .*; tensorflow: .*\); BLAS off \(disabled by option blas=off\)/);
  });

  it("uses the cpu backend when asked and reports BLAS as the BLAS registration says", async () => {
    const { logger } = capturingLogger();
    const chosen = await selectBackend({ prefer: "cpu", logger });
    expect(chosen.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(typeof chosen.blas).toBe("boolean");
    expect(chosen.blasReason.length).toBeGreaterThan(0);
  });

  it("fails with INVALID_ARGUMENT naming the reason when the preferred backend cannot start", async () => {
    const { logger } = capturingLogger();
    await expect(selectBackend({ prefer: "tensorflow", logger })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/tensorflow: .*C2I_BACKEND/),
    });
    await expect(selectBackend({ prefer: "tpu" as never, logger })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
