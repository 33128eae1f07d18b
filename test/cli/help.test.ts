// `c2i help`, `c2i <command> --help` and `-h` print usage on stdout and exit 0, for every command.
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { commands } from "../../cli/commands/index.ts";

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  try {
    return { code: await main(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

describe("help", () => {
  it.each(commands.map((c) => c.name))("c2i %s --help, -h and c2i help %s print the command's usage and exit 0", async (name) => {
    const usage = commands.find((c) => c.name === name)!.usage;
    for (const argv of [[name, "--help"], [name, "-h"], ["help", name]]) {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      expect(out).toBe(usage + "\n");
    }
  });

  it("c2i --help lists every command", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    for (const c of commands) expect(out).toContain(c.name);
  });
});
