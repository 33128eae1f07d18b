// Format check independent of our reader: python3/numpy parses the files we write by the safetensors spec alone.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint, writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { makeTempDir } from "./tmp.ts";
import { hasNumpy } from "./numpy.ts";

const numpy = hasNumpy();
if (!numpy) console.warn("[checkpoint] python3 with numpy not found: skipping the independent format check");

// Reads u64 header length, the JSON header and each tensor's bytes with numpy; prints name, shape and the values.
const READER = `
import sys, json, struct, numpy as np
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out = {'__metadata__': header.pop('__metadata__', None)}
for name, t in header.items():
    b, e = t['data_offsets']
    buf = data[b:e]
    if t['dtype'] == 'BF16':
        vals = (np.frombuffer(buf, dtype='<u2').astype('<u4') << 16).view('<f4')
    else:
        vals = np.frombuffer(buf, dtype={'F32': '<f4', 'F16': '<f2'}[t['dtype']]).astype('<f4')
    out[name] = {'dtype': t['dtype'], 'shape': t['shape'], 'values': vals.reshape(t['shape']).ravel().tolist()}
print(json.dumps(out))
`;

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir("c2i-np-");
});
afterAll(() => tmp.remove());

describe("safetensors files as numpy reads them", () => {
  it.skipIf(!numpy)("numpy decodes F32, F16 and BF16 tensors to the values we wrote (header, offsets, byte order)", () => {
    const values = [0.5, -1.25, 3, 1024, -0.0078125, 6];
    writeCheckpoint(tmp.dir, [
      { name: "f32", shape: [2, 3], data: Float32Array.from(values) },
      { name: "f16", shape: [3, 2], data: Float32Array.from(values), dtype: "F16" },
      { name: "bf16", shape: [6], data: Float32Array.from(values), dtype: "BF16" },
    ], { metadata: { format: "pt" } });
    const parsed = JSON.parse(execFileSync("python3", ["-c", READER, join(tmp.dir, "model.safetensors")], { encoding: "utf8" }));
    expect(parsed.__metadata__).toEqual({ format: "pt" });
    expect(parsed.f32).toEqual({ dtype: "F32", shape: [2, 3], values });
    expect(parsed.f16).toEqual({ dtype: "F16", shape: [3, 2], values });
    expect(parsed.bf16).toEqual({ dtype: "BF16", shape: [6], values });
  });

  it.skipIf(!numpy)("we read a file numpy wrote: unpadded header, data in a different order than the header keys", () => {
    const file = join(tmp.dir, "np.safetensors");
    const writer = `
import sys, json, struct, numpy as np
a = np.arange(6, dtype='<f4').reshape(2, 3) / 4
b = np.array([1.5, -2, 65504], dtype='<f2')
c = (np.array([3.0, -0.5], dtype='<f4').view('<u4') >> 16).astype('<u2')
blobs = [('zeta', 'F32', [2, 3], a.tobytes()), ('alpha', 'F16', [3], b.tobytes()), ('mid', 'BF16', [2], c.tobytes())]
header, off = {}, 0
for name, dt, shape, bts in blobs:
    header[name] = {'dtype': dt, 'shape': shape, 'data_offsets': [off, off + len(bts)]}
    off += len(bts)
h = json.dumps(dict(sorted(header.items()))).encode()
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(x[3] for x in blobs))
`;
    execFileSync("python3", ["-c", writer, file]);
    const ckpt = openCheckpoint(file);
    try {
      expect(ckpt.names()).toEqual(["alpha", "mid", "zeta"]);
      expect(Array.from(ckpt.readF32("zeta"))).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
      expect(Array.from(ckpt.readF32("alpha"))).toEqual([1.5, -2, 65504]);
      expect(Array.from(ckpt.readF32("mid"))).toEqual([3, -0.5]);
      expect(ckpt.entry("mid").dtype).toBe("BF16");
    } finally {
      ckpt.close();
    }
  });
});
