// The backends every model test runs on, switched through the same selection code the agent uses.
import { selectBackend } from "../../agent/compute/backend.ts";
import { silentLogger } from "../../common/log.ts";

export const TEST_BACKENDS = ["cpu", "wasm"] as const;

export async function useBackend(name: (typeof TEST_BACKENDS)[number]): Promise<void> {
  await selectBackend({ prefer: name, blas: "off", logger: silentLogger() });
}
