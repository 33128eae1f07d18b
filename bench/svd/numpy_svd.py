# Times numpy's np.linalg.svd(full_matrices=False) on the very matrices bench/svd/run.ts wrote (only the svd call is timed).
import json
import sys
import time

import numpy as np


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    repeats = int(spec["repeats"])
    np.linalg.svd(np.random.default_rng(0).standard_normal((64, 64)), full_matrices=False)  # thread pool warm-up
    out = []
    for item in spec["matrices"]:
        a = np.fromfile(item["file"], dtype="<f8").reshape(item["rows"], item["cols"])
        best = float("inf")
        cpu = float("inf")
        s = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            c0 = time.process_time()
            _, s, _ = np.linalg.svd(a, full_matrices=False)
            c1 = time.process_time()
            if time.perf_counter() - t0 < best:
                best = time.perf_counter() - t0
                cpu = c1 - c0
        out.append({"rows": item["rows"], "cols": item["cols"], "seconds": best, "cpu": cpu, "s": s.tolist()})
    cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    json.dump({"numpy": np.__version__, "blas": f'{cfg.get("name")} {cfg.get("version")}', "results": out}, sys.stdout)


if __name__ == "__main__":
    main()
