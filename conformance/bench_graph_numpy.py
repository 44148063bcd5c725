#!/usr/bin/env python3
# numpy baseline for `npm run bench` (graph): the orchestrator composition (SPEC §3.2,
# compose with the haircut) vectorized over columns read from a float64 file laid out as
# vel_div, capital, dc, regime, ob, esof, sc, posture (n each). Prints {"evals", "seconds"}.
import json
import sys
import time

import numpy as np


def compose(v, cap, dc, rg, ob, es, sc, posture):
    thr, ext, mn, mx, frac = -0.02, -0.05, 0.5, 8.0, 0.2
    signal = v < thr
    st = (thr - v) / (thr - ext)
    st = np.where(st > 1.0, 1.0, st)
    base = mn + (mx - mn) * ((st * st) * st)
    raw = base * dc * rg * ob * es
    cm = 8.0 * rg * ob * es
    cm = np.where(9.0 < cm, 9.0, cm)
    cm = np.where((posture == 1) & (2.0 < cm), 2.0, cm)
    lev = np.where(cm < raw, cm, raw)
    lev = np.where(lev > mn, lev, mn)
    notional = cap * frac * lev
    m = np.where(0.0 > sc, 0.0, sc)
    m = np.where(1.0 < m, 1.0, m)
    noop = (1.0 - m) < 1e-9
    lev = np.where(noop, lev, np.round(lev * m, 6))
    notional = np.where(noop, notional, np.round(notional * m, 12))
    act = signal & (posture != 2)
    return np.where(act, lev, np.nan), np.where(act, notional, np.nan)


def main():
    n = int(sys.argv[2])
    cols = np.fromfile(sys.argv[1], dtype=np.float64).reshape(8, n)
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        compose(*cols)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"evals": n, "seconds": best}))


if __name__ == "__main__":
    main()
