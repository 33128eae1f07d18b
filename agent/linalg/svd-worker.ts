// Body of one SVD worker thread: decomposes matrices that live in shared memory and transfers the factors back.
import { parentPort, workerData } from "node:worker_threads";
import { isC2iError } from "../../common/errors.ts";
import { selectSvd } from "./svd/select.ts";
import type { SvdPreference } from "./svd/types.ts";
import type { WorkerReply, WorkerTask } from "./svd-worker-protocol.ts";

const port = parentPort;
if (!port) throw new Error("svd-worker.ts must run inside a worker thread");
const { prefer } = workerData as { prefer: SvdPreference };
const svd = selectSvd({ prefer });
port.postMessage({ type: "ready", name: svd.name } satisfies WorkerReply);

port.on("message", (task: WorkerTask) => {
  try {
    const data = new Float64Array(task.buffer, task.byteOffset, task.rows * task.cols);
    const res = svd.decompose({ rows: task.rows, cols: task.cols, data });
    const reply: WorkerReply = { type: "result", id: task.id, u: res.u.data, s: res.s, vt: res.vt.data };
    port.postMessage(reply, [res.u.data.buffer, res.s.buffer, res.vt.data.buffer] as ArrayBuffer[]);
  } catch (e) {
    const reply: WorkerReply = {
      type: "error",
      id: task.id,
      code: isC2iError(e) ? e.code : "INTERNAL",
      message: e instanceof Error ? e.message : String(e),
    };
    port.postMessage(reply);
  }
});
