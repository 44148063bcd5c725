#!/usr/bin/env python3
# CPython baseline for `npm run bench`: the same compose batch, scalar, through the oracle's
# own kernel functions (no JSON in the timed loop). Prints {"evals": n, "seconds": s}.
import json
import sys
import time

import reference as ref


def compose(profile, vel_div, capital, dc, regime, ob, esof, sc, posture, prm):
    actuated, _s, base, fraction = ref.size(vel_div, prm)
    if not actuated or posture == "HIBERNATE":
        return None
    if profile == "v3-shadow":
        return ref.sc_haircut(base, capital * fraction * base, esof)
    raw = base * dc * regime * ob * esof
    clamped = ref.min2(prm["base_max_leverage"] * regime * ob * esof, prm["abs_max_leverage"])
    if posture == "STALKER":
        clamped = ref.min2(clamped, prm["stalker_cap"])
    lev = ref.max2(prm["min_leverage"], ref.min2(raw, clamped))
    return ref.sc_haircut(lev, capital * fraction * lev, sc)


def main():
    batch = [json.loads(l) for l in sys.stdin if l.strip()]
    params = {}
    for p in ("v3-shadow", "orchestrator"):
        d = ref.size_defaults(9.0 if p == "v3-shadow" else 8.0)
        d.update(base_max_leverage=8.0, abs_max_leverage=9.0, stalker_cap=2.0)
        params[p] = d
    rows = [(b["profile"], b["vel_div"], b["capital"], b["dc_mult"], b["regime_mult"],
             b["ob_mult"], b["esof_mult"], b["sc_mult"], b["posture"], params[b["profile"]])
            for b in batch]
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for r in rows:
            compose(*r)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"evals": len(rows), "seconds": best}))


if __name__ == "__main__":
    main()
