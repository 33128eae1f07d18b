// The EventBus contract, run against every implementation (memory, NATS).
import { describe, expect, it } from "vitest";
import type { BusMessage, EventBus } from "../../coordinator/events/types.ts";
import { subjects } from "../../coordinator/events/types.ts";

/** Resolves with the first `count` messages the handler sees. */
function collect(bus: EventBus, pattern: string, count: number): { done: Promise<BusMessage[]>; stop: () => void } {
  const seen: BusMessage[] = [];
  let resolve!: (m: BusMessage[]) => void;
  const done = new Promise<BusMessage[]>((r) => (resolve = r));
  const sub = bus.subscribe(pattern, (m) => {
    seen.push(m);
    if (seen.length === count) resolve(seen);
  });
  return { done, stop: () => sub.unsubscribe() };
}

export function eventBusContract(name: string, open: () => Promise<EventBus>, settle: (bus: EventBus) => Promise<void>): void {
  describe(`EventBus contract: ${name}`, () => {
    it("delivers published JSON to an exact-subject subscriber", async () => {
      const bus = await open();
      try {
        const got = collect(bus, subjects.agentHeartbeat, 1);
        await settle(bus);
        bus.publish(subjects.agentHeartbeat, { id: "a1", inFlight: 2, models: ["m"] });
        expect(await got.done).toEqual([{ subject: "c2i.agent.heartbeat", data: { id: "a1", inFlight: 2, models: ["m"] } }]);
        got.stop();
      } finally {
        await bus.close();
      }
    });

    it("matches `*` to one token and `>` to the rest, in publish order", async () => {
      const bus = await open();
      try {
        const all = collect(bus, subjects.jobAll("j1"), 3);
        const star = collect(bus, "c2i.job.*.phase", 2);
        await settle(bus);
        bus.publish(subjects.jobEvent("j1", "phase"), { n: 1 });
        bus.publish("c2i.job.j1.progress.deep", { n: 2 });
        bus.publish(subjects.jobEvent("j2", "phase"), { n: 3 });
        bus.publish(subjects.jobEvent("j1", "done"), { n: 4 });
        expect((await all.done).map((m) => m.data.n)).toEqual([1, 2, 4]);
        expect((await star.done).map((m) => m.subject)).toEqual(["c2i.job.j1.phase", "c2i.job.j2.phase"]);
        all.stop();
        star.stop();
      } finally {
        await bus.close();
      }
    });

    it("stops delivering after unsubscribe", async () => {
      const bus = await open();
      try {
        const seen: unknown[] = [];
        const sub = bus.subscribe("c2i.test.x", (m) => seen.push(m.data.n));
        const marker = collect(bus, "c2i.test.marker", 1);
        await settle(bus);
        bus.publish("c2i.test.x", { n: 1 });
        bus.publish("c2i.test.marker", {});
        await marker.done;
        sub.unsubscribe();
        const after = collect(bus, "c2i.test.marker", 1);
        await settle(bus);
        bus.publish("c2i.test.x", { n: 2 });
        bus.publish("c2i.test.marker", {});
        await after.done;
        expect(seen).toEqual([1]);
      } finally {
        await bus.close();
      }
    });
  });
}
