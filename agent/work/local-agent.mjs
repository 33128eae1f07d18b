// Bootstrap of the local agent: loads TypeScript through tsx (no build step), in a worker thread or a child process.
import { register } from "tsx/esm/api";

register();
await import("./local-agent.ts");
