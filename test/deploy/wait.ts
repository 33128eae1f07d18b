// Polls a condition until it holds (hooks cannot use expect.poll): waits for state, never for a fixed time.
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value ${JSON.stringify(last)}${error ? `, last error ${String(error)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
