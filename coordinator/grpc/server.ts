// The coordinator's gRPC server: CoordinatorService + health on --listen, TLS optional, graceful stop.
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { shutdownGracefully } from "../../common/grpc-shutdown.ts";
import { bindServer, type TlsFiles } from "../../proto/auth.ts";
import { loadCoordinatorProto, serverOptions } from "../../proto/load.ts";
import { coordinatorHandlers, type CoordinatorServiceDeps } from "./service.ts";

export const COORDINATOR_SERVICE_NAME = "c2i.v1.CoordinatorService";

export interface CoordinatorServerOptions extends CoordinatorServiceDeps {
  /** HOST:PORT; port 0 picks a free one. */
  listen: string;
  tls?: TlsFiles;
  /** Longest wait for open calls (watch streams) on close, ms. @default 5000 */
  shutdownGraceMs?: number;
}

export class CoordinatorServer {
  private constructor(
    readonly address: string,
    private readonly server: grpc.Server,
    private readonly health: HealthImplementation,
    private readonly graceMs: number,
  ) {}

  static async start(options: CoordinatorServerOptions): Promise<CoordinatorServer> {
    const server = new grpc.Server(serverOptions());
    server.addService(loadCoordinatorProto().c2i.v1.CoordinatorService.service, coordinatorHandlers(options));
    const health = new HealthImplementation({ "": "SERVING", [COORDINATOR_SERVICE_NAME]: "SERVING" });
    health.addToServer(server);
    const address = await bindServer(server, options.listen, options.tls, "coordinator");
    return new CoordinatorServer(address, server, health, options.shutdownGraceMs ?? 5_000);
  }

  async close(): Promise<void> {
    this.health.setStatus("", "NOT_SERVING");
    this.health.setStatus(COORDINATOR_SERVICE_NAME, "NOT_SERVING");
    await shutdownGracefully(this.server, this.graceMs);
  }
}
