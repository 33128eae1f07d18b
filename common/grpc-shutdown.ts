// Graceful stop of a gRPC server, shared by the agent's and the coordinator's: open calls get a grace period, then are cut.
import type { Server } from "@grpc/grpc-js";

/** Waits up to `graceMs` for open calls (e.g. watch streams) to finish, then force-closes the rest. */
export function shutdownGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
