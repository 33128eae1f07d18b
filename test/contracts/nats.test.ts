// The JobStore and EventBus contracts against real NATS: JetStream KV store and NATS core bus.
import { afterAll, beforeAll, describe } from "vitest";
import { NatsEventBus } from "../../coordinator/events/nats.ts";
import { JetStreamJobStore } from "../../coordinator/store/jetstream.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { eventBusContract } from "./event-bus.contract.ts";
import { jobStoreContract } from "./job-store.contract.ts";

describe.skipIf(!NATS_SERVER_BIN)("NATS implementations (needs nats-server)", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  jobStoreContract("JetStream KV", () => JetStreamJobStore.connect({ servers: server.url }));
  eventBusContract("NATS core", () => NatsEventBus.connect({ servers: server.url }), (bus) => (bus as NatsEventBus).flush());
});
