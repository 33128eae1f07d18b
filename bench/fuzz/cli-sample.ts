// Refused inputs again through the real `c2i` command in its own process group: exit 2, one stderr line, the same code, nothing written, nothing left running.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { writeTinyModel, type TinyModel } from "../../test/fuzz/fixtures.ts";
import { Rng } from "../../test/fuzz/rng.ts";
import type { FuzzInput, Surface } from "../../test/fuzz/surface.ts";

const BIN = join(import.meta.dirname, "../../bin/c2i.mjs");

export interface CliRun {
  index: number;
  args: string[];
  exit: number | null;
  stderr: string;
  /** What the in-process run refused it with. */
  expected: string;
}

export interface CliSample {
  surface: string;
  command: string;
  runs: number;
  /** Exit 2 with exactly one stderr line "c2i <command>: CODE: …" and a documented code. */
  oneLine: number;
  /** …and the code the in-process run gave. */
  sameCode: number;
  /** Exit 0: this command reads less than the in-process entry point (e.g. inspect does not build the model). */
  acceptedByCommand: number;
  problems: string[];
}

/** What a sample needs besides the input's own files: the tiny model (recipes, tokenizers) and a coordinator (specs). */
export interface CliContext {
  model: TinyModel;
  coordinator?: { address: string; token: string };
}

export function cliContext(scratch: string): CliContext {
  return { model: writeTinyModel(join(scratch, "cli-model")) };
}

/** The command line that feeds `input` (written in `dir`) to the real CLI; undefined when the surface has none. */
function commandFor(surface: Surface<unknown>, input: FuzzInput, dir: string, ctx: CliContext): { args: string[]; out?: string } | undefined {
  const name = surface.name;
  if (name.startsWith("safetensors")) return { args: ["inspect", "--model", dir, "--json"] };
  if (name.startsWith("llama2c")) return { args: ["convert", "llama2c", "--checkpoint", join(dir, "model.bin"), "--tokenizer", join(dir, "tokenizer.bin"), "--out", join(dir, "out"), "--json"], out: join(dir, "out") };
  if (name === "tokenizer-json") {
    for (const f of ["config.json", "model.safetensors"]) cpSync(join(ctx.model.dir, f), join(dir, f));
    writeFileSync(join(dir, "rows.jsonl"), JSON.stringify({ prompt: "the cat sat on the", answer: " mat" }) + "\n");
    return { args: ["eval", "--model", dir, "--dataset", join(dir, "rows.jsonl"), "--backend", "cpu", "--json"] };
  }
  if (name.startsWith("dataset-")) {
    const files = Object.keys(input.files);
    const loader = /→ loadDataset\("([^:]+):/.exec(surface.title)?.[1] ?? "jsonl";
    const path = files.length > 1 ? join(dir, "d") : join(dir, files[0]!);
    const template = input.data as string | undefined;
    return { args: ["datasets", "show", `${loader}:${path}`, ...(template === undefined ? [] : ["--template", template])] };
  }
  if (name === "recipe") {
    return { args: ["apply", "--recipe", join(dir, "recipe.json"), "--model", ctx.model.dir, "--out", join(dir, "out"), "--svd", "typescript", "--json"], out: join(dir, "out") };
  }
  if (name === "job-spec" && ctx.coordinator) {
    writeFileSync(join(dir, "spec.json"), input.data as string);
    return { args: ["submit", "--coordinator", ctx.coordinator.address, "--token", ctx.coordinator.token, "--spec", join(dir, "spec.json"), "--json"] };
  }
  return undefined;
}

function run(args: string[]): Promise<{ exit: number | null; stdout: string; stderr: string; leftover: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, C2I_LOG_LEVEL: "warn" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 120_000);
    child.once("close", (exit) => {
      clearTimeout(timer);
      let leftover = true;
      try {
        process.kill(-child.pid!, 0); // the group still has a member: something outlived the command
      } catch {
        leftover = false;
      }
      if (leftover) process.kill(-child.pid!, "SIGKILL");
      resolve({ exit, stdout, stderr, leftover });
    });
  });
}

function listing(dir: string): string {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort().join("\n") : "";
}

/** Re-creates input `index` of `surface` (same seed, same bytes) and runs it through the CLI. */
export async function cliSample(surface: Surface<unknown>, setup: unknown, seed: number, refused: { index: number; code: string }[], ctx: CliContext): Promise<CliSample | undefined> {
  const scratch = mkdtempSync(join(tmpdir(), `c2i-fuzz-cli-${surface.name}-`));
  const sample: CliSample = { surface: surface.name, command: "", runs: 0, oneLine: 0, sameCode: 0, acceptedByCommand: 0, problems: [] };
  try {
    for (const { index, code } of refused) {
      const input = surface.generate(Rng.forInput(seed, surface.name, index), setup, index);
      const dir = join(scratch, String(index));
      for (const [name, bytes] of Object.entries(input.files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), bytes);
      }
      mkdirSync(dir, { recursive: true });
      const cmd = commandFor(surface, input, dir, ctx);
      if (!cmd) return undefined;
      sample.command = `c2i ${cmd.args.slice(0, cmd.args[0] === "convert" || cmd.args[0] === "datasets" ? 2 : 1).join(" ")}`;
      const before = listing(dir);
      const r = await run(cmd.args);
      sample.runs++;
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
      const m = /^c2i [a-z]+: ([A-Z_]+): /.exec(lines[0] ?? "");
      const where = `input ${index} (${input.what.slice(0, 80)})`;
      if (r.leftover) sample.problems.push(`${where}: a process outlived the command`);
      if (r.exit === 0) {
        sample.acceptedByCommand++;
        continue;
      }
      if (r.exit === 2 && lines.length === 1 && m && (surface.codes as string[]).includes(m[1]!)) {
        sample.oneLine++;
        if (m[1] === code) sample.sameCode++;
      } else {
        sample.problems.push(`${where}: exit ${r.exit}, ${lines.length} stderr lines: ${r.stderr.slice(0, 300)}`);
      }
      if (r.stdout.trim() !== "") sample.problems.push(`${where}: refused but printed on stdout: ${r.stdout.slice(0, 100)}`);
      if ((cmd.out && existsSync(cmd.out)) || listing(dir) !== before) sample.problems.push(`${where}: refused but wrote into ${dir}`);
    }
    return sample;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
