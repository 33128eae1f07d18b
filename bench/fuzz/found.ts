// The bugs this campaign found and the fixes, each with its regression test (history for bench/fuzz/latest.md, not a measurement).

export interface Found {
  surface: string;
  input: string;
  before: string;
  after: string;
  test: string;
}

export const FOUND: readonly Found[] = [
  {
    surface: "safetensors, sharded index, every JSON dataset, recipe, job spec",
    input: "a value nested 10,000–100,000 deep (dtype, data_offsets, weight_map, metadata, label, claim, version, seed)",
    before: "uncaught RangeError from JSON.stringify in the error message",
    after: "the documented code; the message quotes the value through common/preview.ts",
    test: "test/common/preview.test.ts, safetensors, dataset, fever, recipe, plan tests",
  },
  {
    surface: "tokenizer-json",
    input: "added_tokens[0].id = 2147483647",
    before: "loadTokenizer took 150 s (the library's get_vocab walks a sparse array that long)",
    after: "ids checked as int32 (TOKENIZER_INVALID); the vocabulary size read from the JSON: milliseconds",
    test: "test/tokenizers/load.test.ts",
  },
  {
    surface: "recipe",
    input: "a recipe refused after the fingerprint matched (model type, matrix, kept ranks)",
    before: "RECIPE_MISMATCH, but an empty --out directory was created",
    after: "nothing is created until the checkpoint is written",
    test: "test/work/apply.test.ts",
  },
  {
    surface: "recipe",
    input: "rowScale containing 5e-324 (or scales near 1e308)",
    before: "NUMERIC (undocumented here): the SVD of an infinite matrix did not converge",
    after: "INVALID_ARGUMENT: scales need finite inverses; weights taking W beyond the SVD's range are refused",
    test: "test/work/recipe.test.ts, test/factorizations/factorize.test.ts",
  },
  {
    surface: "job-spec, grpc-coordinator",
    input: "strategy \"constructor\" / \"__proto__\"; settings \"hasOwnProperty\"; task 65536; seed 2^53 + 2",
    before: "accepted: a job with strategy \"Object\" that a restarted coordinator cannot replan; a task spread from a number",
    after: "INVALID_ARGUMENT: own strategy names only, settings and task objects of known typed fields, safe integers",
    test: "test/coordinator/plan.test.ts",
  },
  {
    surface: "dataset references (grpc-agent)",
    input: "dataset \"constructor:/path\"",
    before: "Object(path) returned as the dataset: a String object with no rows",
    after: "DATASET_INVALID: unknown dataset loader",
    test: "test/tasks/dataset.test.ts",
  },
  {
    surface: "grpc-agent, grpc-coordinator",
    input: "bytes that are not a protobuf of the method's request (a BOM, random bytes, a cut message)",
    before: "grpc-js's bare INTERNAL \"Error deserializing request\", before the token check, retried by clients as transient",
    after: "INVALID_ARGUMENT with its c2i code, after the token check",
    test: "test/cluster/agent-server.test.ts, test/coordinator/grpc-service.test.ts",
  },
  {
    surface: "grpc-agent",
    input: "Score with matrices []; fwsvd calibration of 500,000 repeated rows or rows outside the dataset",
    before: "TypeError (reading 'loss'); minutes of work past the deadline; calibration rows never checked",
    after: "INVALID_ARGUMENT: calibration checked like samples, rows distinct, matrices and block counts non-empty and distinct",
    test: "test/work/executor.test.ts",
  },
  {
    surface: "grpc-coordinator",
    input: "WatchJob of an unknown id, without the token, or undecodable",
    before: "no answer at all: call.destroy() skipped the status, and c2i watch (no deadline) waited forever",
    after: "NOT_FOUND / UNAUTHENTICATED / INVALID_ARGUMENT at once",
    test: "test/coordinator/grpc-service.test.ts",
  },
  {
    surface: "grpc-agent, grpc-coordinator",
    input: "a refusal quoting a 100,000-character shard id (Score, samples.indices [24]) or job id",
    before: "no answer at all: the status message exceeded HTTP/2's 64 KiB header limit, and the stalled connection left the next calls unanswered too",
    after: "the documented code at once; status messages are cut to 1,000 characters (proto/status.ts)",
    test: "test/contracts/proto.test.ts, test/coordinator/grpc-service.test.ts",
  },
  {
    surface: "grpc-coordinator (c2i coordinator process)",
    input: "ListJobs right after an accepted SubmitJob, while the runner updates the new job",
    before: "no answer for 10 s or more: kv.keys() waits for a consumer state that concurrent updates keep from coming",
    after: "keys listed from the KV stream's subjects: milliseconds",
    test: "test/contracts/job-store.contract.ts (memory and JetStream)",
  },
];
