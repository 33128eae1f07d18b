// watchInterrupts: the first SIGINT/SIGTERM asks for a clean stop, a second one releases and exits at once.
import { afterEach, describe, expect, it } from "vitest";
import { SIGNAL_EXIT_CODES, watchInterrupts, type InterruptWatch, type StopSignal } from "../../cli/interrupt.ts";

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

let watch: InterruptWatch | undefined;
afterEach(() => watch?.dispose());

function install() {
  const events: string[] = [];
  watch = watchInterrupts("c2i test", {
    onFirst: (s: StopSignal) => events.push(`first ${s}`),
    onSecond: (s: StopSignal) => events.push(`second ${s}`),
    write: (line) => events.push(line.trim()),
    exit: (code) => {
      throw new Exited(code);
    },
  });
  return events;
}

describe("watchInterrupts", () => {
  it("maps SIGINT to 130 and SIGTERM to 143", () => {
    expect(SIGNAL_EXIT_CODES).toEqual({ SIGINT: 130, SIGTERM: 143 });
  });

  it("calls onFirst once and remembers the signal", () => {
    const events = install();
    expect(watch!.received()).toBeUndefined();
    process.emit("SIGTERM", "SIGTERM");
    expect(events).toEqual(["first SIGTERM"]);
    expect(watch!.received()).toBe("SIGTERM");
  });

  it("on a second signal releases what must not outlive us, writes one line and exits with the first signal's code", () => {
    const events = install();
    process.emit("SIGINT", "SIGINT");
    expect(() => process.emit("SIGTERM", "SIGTERM")).toThrow(new Exited(130));
    expect(events).toEqual(["first SIGINT", "second SIGTERM", "c2i test: SIGTERM again: stopped at once (agents killed)"]);
  });

  it("leaves no handler behind after dispose", () => {
    const before = { int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") };
    install();
    expect(process.listenerCount("SIGINT")).toBe(before.int + 1);
    watch!.dispose();
    watch = undefined;
    expect({ int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") }).toEqual(before);
  });
});
