// The memory JobStore and EventBus pass the shared seam contracts.
import { describe, expect, it } from "vitest";
import { MemoryEventBusImpl, subjectMatches } from "../../coordinator/events/memory.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import { eventBusContract } from "./contracts/event-bus.ts";
import { jobStoreContract } from "./contracts/job-store.ts";

jobStoreContract("memory", async () => new MemoryJobStoreImpl());
eventBusContract("memory", async () => new MemoryEventBusImpl());

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
