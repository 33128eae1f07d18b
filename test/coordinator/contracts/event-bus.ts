// The EventBus contract, as a suite any implementation runs (memory here; NATS in the cluster tests).
import { describe, expect, it } from "vitest";
import type { BusMessage, EventBus } from "../../../coordinator/events/types.ts";

/** Resolve once `count` messages arrived (events, not sleeps). */
function collect(bus: EventBus, pattern: string, count: number): { got: BusMessage[]; done: Promise<BusMessage[]>; stop: () => void } {
  const got: BusMessage[] = [];
  let resolve: (m: BusMessage[]) => void = () => {};
  const done = new Promise<BusMessage[]>((r) => (resolve = r));
  const sub = bus.subscribe(pattern, (m) => {
    got.push(m);
    if (got.length === count) resolve(got);
  });
  return { got, done, stop: () => sub.unsubscribe() };
}

/** `open` returns a fresh bus; `flush` waits until published messages were delivered (no-op in memory). */
export function eventBusContract(name: string, open: () => Promise<EventBus>, flush: (bus: EventBus) => Promise<void> = async () => {}): void {
  let n = 0;
  const job = () => `j${process.pid}x${Date.now()}x${n++}`;

  describe(`EventBus contract: ${name}`, () => {
    it("delivers in publish order to matching subscribers, with * and > wildcards", async () => {
      const bus = await open();
      try {
        const id = job();
        const all = collect(bus, `c2i.job.${id}.>`, 3);
        const one = collect(bus, `c2i.job.*.progress`, 2);
        await flush(bus);
        bus.publish(`c2i.job.${id}.state`, { state: "running" });
        bus.publish(`c2i.job.${id}.progress`, { done: 1 });
        bus.publish(`c2i.job.${id}.progress`, { done: 2 });
        const msgs = await all.done;
        expect(msgs.map((m) => m.subject)).toEqual([`c2i.job.${id}.state`, `c2i.job.${id}.progress`, `c2i.job.${id}.progress`]);
        expect((await one.done).map((m) => m.data.done)).toEqual([1, 2]);
        all.stop();
        one.stop();
      } finally {
        await bus.close();
      }
    });

    it("stops delivering after unsubscribe", async () => {
      const bus = await open();
      try {
        const id = job();
        const gone = collect(bus, `c2i.job.${id}.>`, 1);
        gone.stop();
        const kept = collect(bus, `c2i.job.${id}.>`, 1);
        await flush(bus);
        bus.publish(`c2i.job.${id}.state`, { state: "queued" });
        await kept.done;
        await flush(bus);
        expect(gone.got).toEqual([]);
        kept.stop();
      } finally {
        await bus.close();
      }
    });
  });
}
