// Messages between SvdWorkers and its worker threads (plain data; matrices travel as shared memory).
import type { ErrorCode } from "../../common/errors.ts";
import type { SvdName } from "./svd/types.ts";

/** Decompose rows×cols doubles starting at byteOffset of a SharedArrayBuffer. */
export interface WorkerTask {
  id: number;
  buffer: SharedArrayBuffer;
  byteOffset: number;
  rows: number;
  cols: number;
}

export type WorkerReply =
  | { type: "ready"; name: SvdName }
  | { type: "result"; id: number; u: Float64Array; s: Float64Array; vt: Float64Array }
  | { type: "error"; id: number; code: ErrorCode; message: string };
