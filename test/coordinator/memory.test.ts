// Memory EventBus specifics: NATS-style subject matching and handler isolation.
import { describe, expect, it } from "vitest";
import { MemoryEventBusImpl, subjectMatches } from "../../coordinator/events/memory.ts";

// The shared JobStore/EventBus contracts run against memory in test/contracts/memory.test.ts.

describe("memory event bus", () => {
  it("matches subjects the NATS way", () => {
    expect(subjectMatches("c2i.job.*.state", "c2i.job.a.state")).toBe(true);
    expect(subjectMatches("c2i.job.*.state", "c2i.job.a.b.state")).toBe(false);
    expect(subjectMatches("c2i.job.a.>", "c2i.job.a.progress")).toBe(true);
    expect(subjectMatches("c2i.job.a.>", "c2i.job.a")).toBe(false);
    expect(subjectMatches("c2i.job.a", "c2i.job.a.b")).toBe(false);
  });

  it("keeps delivering to other subscribers when one handler throws", () => {
    const bus = new MemoryEventBusImpl();
    const got: unknown[] = [];
    bus.subscribe("x.>", () => {
      throw new Error("boom");
    });
    bus.subscribe("x.>", (m) => got.push(m.data));
    bus.publish("x.y", { a: 1 });
    expect(got).toEqual([{ a: 1 }]);
  });
});
