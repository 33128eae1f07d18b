// NATS going away and coming back: the JetStream store waits out the outage; auth and credentials are honoured.
import { afterEach, describe, expect, it } from "vitest";
import { NatsEventBus } from "../../coordinator/events/nats.ts";
import { isOutage, JetStreamJobStore } from "../../coordinator/store/jetstream.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";

describe.skipIf(!NATS_SERVER_BIN)("NATS outages and auth", () => {
  const open: { close(): Promise<void> }[] = [];
  const servers: NatsServer[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    for (const s of servers.splice(0)) await s.stop();
  });

  it("completes a store update issued while nats-server is down, once it is back", async () => {
    const nats = await NatsServer.start();
    servers.push(nats);
    const store = await JetStreamJobStore.connect({ servers: nats.url }, { requestTimeoutMs: 1_000 });
    open.push(store);
    const now = new Date().toISOString();
    await store.create({ id: "j", spec: {}, state: "running", createdAt: now, updatedAt: now });
    await nats.halt();
    let settled = false;
    const update = store.update("j", (r) => ({ ...r, phase: "evaluate" })).finally(() => (settled = true));
    const put = store.putShardResult("j", { kind: "evaluate", shardId: "evaluate:0", evaluations: [], timings: {} });
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    await nats.resume();
    expect((await update).phase).toBe("evaluate");
    expect(await put).toBe(true);
    expect((await store.shardResults("j")).size).toBe(1);
  });

  it("waits out a restarted server whose JetStream is not up yet, and gives up on what no restart cures", () => {
    // What nats.js reports when a restarted nats-server takes connections before its JetStream is enabled.
    expect(isOutage(new Error("JetStreamNotEnabled: jetstream is not enabled"))).toBe(true);
    expect(isOutage(new Error("503 no responders"))).toBe(true);
    expect(isOutage(new Error("wrong last sequence: 4"))).toBe(false);
    expect(isOutage(new Error("connection CLOSED"))).toBe(false);
  });

  it("connects with the server's user and password, and fails clearly without them", async () => {
    const nats = await NatsServer.start({ args: ["--user", "c2i", "--pass", "s3cret"] });
    servers.push(nats);
    const bus = await NatsEventBus.connect({ servers: nats.url, user: "c2i", pass: "s3cret" });
    open.push(bus);
    const got = new Promise((resolve) => bus.subscribe("c2i.t", (m) => resolve(m.data)));
    await bus.flush();
    bus.publish("c2i.t", { ok: true });
    expect(await got).toEqual({ ok: true });
    await expect(NatsEventBus.connect({ servers: nats.url })).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
