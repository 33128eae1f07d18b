// Worker-thread bootstrap: registers tsx so the TypeScript worker loads under plain node, npx tsx and vitest alike.
import { register } from "tsx/esm/api";

register();
await import("./svd-worker.ts");
