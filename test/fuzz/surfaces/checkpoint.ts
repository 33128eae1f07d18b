// safetensors surfaces: single files and sharded checkpoints, read through loadModel, c2i inspect's summary and the fingerprint.
import { describeCheckpoint } from "../../../agent/checkpoint/describe.ts";
import { fingerprintCheckpoint } from "../../../agent/checkpoint/fingerprint.ts";
import { selectBackend } from "../../../agent/compute/backend.ts";
import { loadModel } from "../../../agent/models/load.ts";
import { ErrorCode } from "../../../common/errors.ts";
import { silentLogger } from "../../../common/log.ts";
import { writeTinyModel, type TinyModel } from "../fixtures.ts";
import { INTERESTING_U64, mutateBytes, mutateText, type Mutated } from "../mutate-bytes.ts";
import { mutateJson, serialise, type Json } from "../mutate-json.ts";
import type { Rng } from "../rng.ts";
import type { FuzzInput, Surface } from "../surface.ts";

const CODES = [ErrorCode.CHECKPOINT_CORRUPT, ErrorCode.CHECKPOINT_MISSING_TENSOR, ErrorCode.SHAPE_MISMATCH] as const;

function splitFile(bytes: Uint8Array): { header: Json; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Json, data: bytes.subarray(8 + n) };
}

function joinFile(headerText: Uint8Array, data: Uint8Array, length: bigint = BigInt(headerText.length)): Uint8Array {
  const out = new Uint8Array(8 + headerText.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length, true);
  out.set(headerText, 8);
  out.set(data, 8 + headerText.length);
  return out;
}

/** One damaged safetensors file: its header as JSON, its header text, its length prefix, or its raw bytes. */
export function mutateSafetensors(bytes: Uint8Array, rng: Rng): Mutated<Uint8Array> {
  const { header, data } = splitFile(bytes);
  const enc = new TextEncoder();
  return rng.weighted<() => Mutated<Uint8Array>>([
    [5, () => {
      const m = mutateJson(header, rng);
      return { value: joinFile(enc.encode(serialise(m.value, rng)), data), what: `header: ${m.what}` };
    }],
    [2, () => {
      const m = mutateText(JSON.stringify(header), rng);
      return { value: joinFile(m.value, data), what: `header text: ${m.what}` };
    }],
    [1, () => {
      const text = enc.encode(JSON.stringify(header));
      const n = rng.pick(INTERESTING_U64);
      return { value: joinFile(text, data, n), what: `header length := ${n}` };
    }],
    [3, () => {
      const m = mutateBytes(bytes, rng);
      return { value: m.value, what: `bytes: ${m.what}` };
    }],
  ])();
}

/** Every reader of a checkpoint directory: loadModel (config + shapes + every tensor), inspect's summary, the fingerprint. */
async function readAll(dir: string): Promise<void> {
  describeCheckpoint(dir);
  fingerprintCheckpoint(dir);
  const model = await loadModel(dir);
  model.dispose();
}

async function setupModel(scratch: string): Promise<TinyModel> {
  await selectBackend({ prefer: "cpu", blas: "off", logger: silentLogger() });
  return writeTinyModel(scratch);
}

/** A checkpoint directory surface: the tiny model as seed, every reader as entry point; only the damage differs. */
function checkpointSurface(name: string, title: string, generate: (rng: Rng, m: TinyModel) => FuzzInput): Surface<TinyModel> {
  return {
    name,
    title: `${title} → loadModel, inspect, fingerprint`,
    codes: CODES,
    setup: setupModel,
    generate,
    async feed(_input, _m, { dir }) {
      await readAll(dir);
    },
  };
}

export const safetensorsSurface = checkpointSurface("safetensors", "safetensors file (header JSON, length prefix, bytes)", (rng, m) => {
  const mutated = mutateSafetensors(m.files["model.safetensors"]!, rng);
  return { files: { "config.json": m.files["config.json"]!, "model.safetensors": mutated.value }, what: mutated.what };
});

export const shardedSurface = checkpointSurface("safetensors-sharded", "sharded checkpoint (index.json, shards)", (rng, m) => {
  const files: Record<string, Uint8Array> = { ...m.shardedFiles };
  const shards = Object.keys(files).filter((f) => f.endsWith(".safetensors"));
  const index = "model.safetensors.index.json";
  const what = rng.weighted<() => string>([
    [4, () => {
      const mj = mutateJson(JSON.parse(new TextDecoder().decode(files[index])) as Json, rng);
      files[index] = new TextEncoder().encode(serialise(mj.value, rng));
      return `index: ${mj.what}`;
    }],
    [1, () => {
      const mt = mutateText(new TextDecoder().decode(files[index]), rng);
      files[index] = mt.value;
      return `index text: ${mt.what}`;
    }],
    [4, () => {
      const shard = rng.pick(shards);
      const ms = mutateSafetensors(files[shard]!, rng);
      files[shard] = ms.value;
      return `${shard}: ${ms.what}`;
    }],
    [1, () => {
      const shard = rng.pick(shards);
      delete files[shard];
      return `delete ${shard}`;
    }],
    [1, () => {
      const [a, b] = [rng.pick(shards), rng.pick(shards)];
      [files[a], files[b]] = [files[b]!, files[a]!];
      return `swap ${a} and ${b}`;
    }],
  ])();
  return { files, what };
});
