#!/usr/bin/env python3
# numpy baseline for `npm run bench` (scanner): per bar and window, corrcoef + eigvalsh of
# the window's returns recomputed from scratch, as a non-incremental scanner would, timed
# on a sample of bars. Prints {"bars": n, "seconds": s} for N assets and the windows given.
# usage: bench_scanner.py ASSETS W1,W2,... SAMPLE_BARS SEED
import json
import sys
import time

import numpy as np


def main():
    n = int(sys.argv[1])
    windows = [int(w) for w in sys.argv[2].split(',')]
    bars = int(sys.argv[3])
    rng = np.random.default_rng(int(sys.argv[4]))
    depth = max(windows)
    market = rng.normal(0, 0.004, depth + bars)
    beta = rng.uniform(0.3, 1.5, n)
    r = market[:, None] * beta[None, :] + rng.normal(0, 0.003, (depth + bars, n))
    check = 0.0
    t0 = time.perf_counter()
    for k in range(depth, depth + bars):
        for w in windows:
            c = np.corrcoef(r[k - w + 1:k + 1].T)
            check += float(np.linalg.eigvalsh(c)[-1])
    seconds = time.perf_counter() - t0
    print(json.dumps({"bars": bars, "seconds": seconds, "check": check}))


if __name__ == "__main__":
    main()
