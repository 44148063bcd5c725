#!/usr/bin/env python3
# numpy reference for `violet study` (docs/studies.md): the same rules written independently,
# for the conformance test.
#
#   python3 conformance/studies_reference.py STUDY --trades FILE.csv [--max-p95-util 0.75]
#       [--max-leverage 9] [--min-r 0.999] [--max-err 0.25]
#       [--decisions D.csv --universe U.csv --instance ID]
#
# STUDY is one of clean, margin, regime, sizing, parity, colocate. Prints the study's JSON
# (the keys of docs/studies.md, `null` where a number cannot be computed) on stdout. Like the
# command, parity exits 1 when its gate fails (the JSON is printed first).
# Python 3.11 + numpy only; the CSV is read with the `csv` module (empty cell = null).
import argparse
import csv
import json
import math
import sys
from datetime import datetime, timedelta, timezone

import numpy as np

REQUIRED = ["trade_id", "asset", "side", "entry_ts", "exit_ts", "entry_price", "exit_price",
            "quantity", "capital_before", "leverage", "pnl", "exit_reason", "bars_held"]
OPTIONAL = ["vel_div_entry", "btc_price", "btc_ma99", "dvol", "regime_label",
            "composite_hash", "esof_score"]
TEXT = {"trade_id", "asset", "side", "exit_reason", "regime_label", "composite_hash"}
TIMES = {"entry_ts", "exit_ts"}

HIBERNATE = "HIBERNATE_HALT"
WINDOW_MS = 300000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SIZER = {"threshold": -0.02, "extreme": -0.05, "convexity": 3, "min_leverage": 0.5}


# ---------------------------------------------------------------- input

def parse_ts(text):
    """Epoch milliseconds, or an ISO-8601 timestamp (UTC when it names no zone)."""
    try:
        return float(text)
    except ValueError:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return (dt - EPOCH) / timedelta(milliseconds=1)  # exact integer microseconds / 1000


def read_trades(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"studies_reference: {path}: missing columns {', '.join(missing)}")
        rows = []
        for i, raw in enumerate(reader):
            t = {"row": i}
            for col in REQUIRED + OPTIONAL:
                cell = raw.get(col)
                if cell is None or cell == "":
                    t[col] = None
                elif col in TEXT:
                    t[col] = cell
                elif col in TIMES:
                    t[col] = parse_ts(cell)
                else:
                    t[col] = float(cell)
            rows.append(t)
    return rows


# ---------------------------------------------------------------- helpers

def share(count, n):
    return count / n if n > 0 else None


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def quantile(xs, q):
    if not xs:
        return None
    return float(np.quantile(np.array(xs, dtype=np.float64), q, method="linear"))


def median(xs):
    if not xs:
        return None
    return float(np.median(np.array(xs, dtype=np.float64)))


def pearson(xs, ys):
    if len(xs) < 2:
        return None
    x = np.array(xs, dtype=np.float64)
    y = np.array(ys, dtype=np.float64)
    if np.all(x == x[0]) or np.all(y == y[0]):
        return None
    r = float(np.corrcoef(x, y)[0, 1])
    return None if math.isnan(r) else r


def base_size(v, max_leverage, threshold, extreme, convexity, min_leverage=0.5):
    """SPEC §3.1, operation for operation; None when the sizer does not fire."""
    if not (v < threshold):
        return None
    strength = (threshold - v) / (threshold - extreme)
    if strength > 1.0:
        strength = 1.0
    p = strength
    for _ in range(convexity - 1):
        p = p * strength
    return min_leverage + (max_leverage - min_leverage) * p


def by_entry(trades):
    return sorted(trades, key=lambda t: (t["entry_ts"], t["row"]))


def vel_div_bins():
    """(label, lo, hi) for k = 0..23, then the open bin below −0.08."""
    bins = []
    for k in range(24):
        hi = round(-0.02 - 0.0025 * k, 4)
        lo = round(-0.0225 - 0.0025 * k, 4)
        bins.append((f"[{lo!r}, {hi!r})", lo, hi))
    bins.append(("(-inf, -0.08)", None, -0.08))
    return bins


def bin_members(trades):
    """[(label, lo, hi, members)] with the trades whose vel_div_entry falls in each bin."""
    out = [(label, lo, hi, []) for label, lo, hi in vel_div_bins()]
    for t in trades:
        v = t["vel_div_entry"]
        for _label, lo, hi, members in out:
            if (lo is None or lo <= v) and v < hi:
                members.append(t)
                break
    return out


# ---------------------------------------------------------------- clean [§4]

def clean_trades(rows):
    """(report, clean): the deduplicated trades with the two artifact filters applied."""
    groups = {}
    for r in rows:
        groups.setdefault(r["trade_id"], []).append(r)

    kept = []
    multi = identical = conflicting = 0
    for group in groups.values():
        same_pnl = all(r["pnl"] == group[0]["pnl"] for r in group)
        if len(group) >= 2:
            multi += 1
            identical += 1 if same_pnl else 0
        if same_pnl:
            kept.append(group[0])
        else:
            conflicting += 1
            best = group[0]
            for r in group[1:]:
                if r["exit_ts"] >= best["exit_ts"]:  # ties: the later row in the file
                    best = r
            kept.append(best)

    hibernate = [t for t in kept if t["exit_reason"] == HIBERNATE]
    rest = [t for t in kept if t["exit_reason"] != HIBERNATE]
    zero_bars = [t for t in rest if t["bars_held"] == 0]
    clean = [t for t in rest if t["bars_held"] != 0]
    clean.sort(key=lambda t: t["row"])

    raw_pnl = sum(r["pnl"] for r in rows)
    dropped_pnl = sum(t["pnl"] for t in hibernate + zero_bars)
    clean_pnl = sum(t["pnl"] for t in clean)
    ordered = by_entry(clean)
    first = ordered[0] if ordered else None
    last = ordered[-1] if ordered else None
    report = {
        "rows": len(rows),
        "trade_ids": len(groups),
        "multi_row_trade_ids": multi,
        "identical_multi_row_share": share(identical, multi),
        "max_rows_per_trade_id": max((len(g) for g in groups.values()), default=0),
        "conflicting_trade_ids": conflicting,
        "dropped_hibernate": len(hibernate),
        "dropped_zero_bars": len(zero_bars),
        "raw_pnl": raw_pnl,
        "clean_trades": len(clean),
        "clean_pnl": clean_pnl,
        "clean_win_rate": share(sum(1 for t in clean if t["pnl"] > 0), len(clean)),
        "artifact_share_of_raw_loss": dropped_pnl / raw_pnl if raw_pnl < 0 else None,
        "capital_check": {
            "first_entry_ts": first["entry_ts"] if first else None,
            "last_entry_ts": last["entry_ts"] if last else None,
            "first_capital_before": first["capital_before"] if first else None,
            "last_capital_before": last["capital_before"] if last else None,
            "growth": last["capital_before"] - first["capital_before"] if first else None,
            "clean_pnl": clean_pnl,
        },
    }
    return report, clean


# ---------------------------------------------------------------- margin [§4]

def study_margin(clean, args):
    levels = []
    recommended = None
    for lev in range(1, 6):
        fits, utils = [], []
        for t in clean:
            margin = t["entry_price"] * t["quantity"] / lev
            fits.append(margin <= t["capital_before"])
            utils.append(margin / t["capital_before"])
        fit_share = share(sum(fits), len(clean))
        p95 = quantile(utils, 0.95)
        levels.append({"exchange_leverage": lev, "fit_share": fit_share,
                       "util_median": median(utils), "util_p95": p95})
        if recommended is None and fit_share == 1 and p95 is not None \
                and p95 <= args.max_p95_util:
            recommended = lev

    overlapping = 0
    latest_exit = -math.inf
    for t in by_entry(clean):
        if t["entry_ts"] < latest_exit:
            overlapping += 1
        latest_exit = max(latest_exit, t["exit_ts"])
    return {"trades": len(clean), "max_p95_util": args.max_p95_util, "levels": levels,
            "recommended_exchange_leverage": recommended, "overlapping_trades": overlapping}


# ---------------------------------------------------------------- regime [§6]

def summary(trades):
    pnls = [t["pnl"] for t in trades]
    return {"n": len(pnls), "mean_pnl": mean(pnls),
            "win_rate": share(sum(1 for p in pnls if p > 0), len(pnls))}


def pair(a_name, a, b_name, b):
    sa, sb = summary(a), summary(b)
    ratio = None
    if sa["n"] > 0 and sb["n"] > 0 and sb["mean_pnl"] != 0:
        ratio = sa["mean_pnl"] / sb["mean_pnl"]
    return {"a": {"name": a_name, **sa}, "b": {"name": b_name, **sb}, "ratio": ratio}


def study_regime(clean, _args):
    labels = {}
    for t in clean:
        label = t["regime_label"] if t["regime_label"] is not None else "(none)"
        labels.setdefault(label, []).append(t)
    by_label = [{"label": label, **summary(labels[label])} for label in sorted(labels)]

    with_btc = [t for t in clean if t["btc_price"] is not None and t["btc_ma99"] is not None]
    with_dvol = [t for t in clean if t["dvol"] is not None]
    with_vd = [t for t in clean if t["vel_div_entry"] is not None]
    median_dvol = median([t["dvol"] for t in with_dvol])
    dvol_pair = pair("high", [t for t in with_dvol if t["dvol"] > median_dvol],
                     "low", [t for t in with_dvol if t["dvol"] <= median_dvol])
    dvol_pair["median_dvol"] = median_dvol

    bearish = [t for t in with_btc
               if t["regime_label"] is not None and "bear" in t["regime_label"].lower()]
    above = sum(1 for t in bearish if t["btc_price"] > t["btc_ma99"])
    return {
        "trades": len(clean),
        "by_label": by_label,
        "sub_regimes": {
            "btc_vs_ma99": pair("below", [t for t in with_btc if t["btc_price"] < t["btc_ma99"]],
                                "above", [t for t in with_btc if t["btc_price"] >= t["btc_ma99"]]),
            "dvol": dvol_pair,
            "vel_div": pair("strong", [t for t in with_vd if t["vel_div_entry"] <= -0.05],
                            "weak", [t for t in with_vd if t["vel_div_entry"] > -0.05]),
        },
        "label_reliability": {"bearish_labelled": len(bearish), "bearish_above_ma99": above,
                              "share": share(above, len(bearish))},
    }


# ---------------------------------------------------------------- sizing [§8]

def study_sizing(clean, args):
    sized = []  # (trade, ratio)
    for t in clean:
        if t["vel_div_entry"] is None:
            continue
        base = base_size(t["vel_div_entry"], args.max_leverage, **SIZER)
        if base is not None:
            sized.append((t, t["leverage"] / base))
    n = len(sized)
    ratios = [r for _t, r in sized]
    tail = {id(t): r > 1.05 for t, r in sized}

    counts = [0] * 61
    for r in ratios:
        counts[min(max(math.floor(r / 0.05 + 0.5), 0), 60)] += 1  # k < 0 (no such ratio) into 0
    bands = []
    for k in range(61):
        left = counts[k - 1] if k > 0 else 0
        right = counts[k + 1] if k < 60 else 0
        if counts[k] >= 0.02 * n and counts[k] > left and counts[k] >= right:
            bands.append({"center": k * 0.05, "share": counts[k] / n})

    tail_by_bin = []
    for label, _lo, _hi, members in bin_members([t for t, _r in sized]):
        if len(members) >= 10:
            tail_by_bin.append({"bin": label, "n": len(members),
                                "tail_share": sum(tail[id(t)] for t in members) / len(members)})
    return {"trades": n, "skipped": len(clean) - n, "max_leverage": args.max_leverage,
            "ratio_median": median(ratios),
            "upward_tail_share": share(sum(1 for r in ratios if r > 1.05), n),
            "bands": bands, "tail_by_bin": tail_by_bin}


# ---------------------------------------------------------------- parity [§3, V3d]

def curve_errors(bins, max_leverage, threshold, extreme, convexity):
    """(max_abs_err, pearson, models) of the base sizer against the bins' median leverage."""
    models = []
    for b in bins:
        m = base_size(b["median_vel_div"], max_leverage, threshold, extreme, convexity)
        models.append(0.0 if m is None else m)
    meds = [b["median_leverage"] for b in bins]
    err = max((abs(a - m) for a, m in zip(meds, models)), default=None)
    return err, pearson(meds, models), models


def study_parity(clean, args):
    with_vd = [t for t in clean if t["vel_div_entry"] is not None]
    bins = []
    for label, lo, hi, members in bin_members(with_vd):
        if len(members) >= 10:
            bins.append({"bin": label, "lo": lo, "hi": hi, "n": len(members),
                         "median_vel_div": median([t["vel_div_entry"] for t in members]),
                         "median_leverage": median([t["leverage"] for t in members])})
    err, r, models = curve_errors(bins, args.max_leverage, SIZER["threshold"],
                                  SIZER["extreme"], SIZER["convexity"])
    for b, m in zip(bins, models):
        b["model"] = m

    fit = None
    if bins:
        for i in range(11):
            max_lev = 5 + 0.5 * i
            for thr in (-0.015, -0.02, -0.025):
                for ext in (-0.04, -0.05, -0.06):
                    for conv in (1, 2, 3, 4):
                        e, pr, _m = curve_errors(bins, max_lev, thr, ext, conv)
                        if fit is None or e < fit["max_abs_err"]:
                            fit = {"max_leverage": max_lev, "threshold": thr, "extreme": ext,
                                   "convexity": conv, "max_abs_err": e, "pearson": pr}
    passed = r is not None and err is not None and r >= args.min_r and err <= args.max_err
    return {"trades": len(with_vd), "bins": bins, "pearson": r, "max_abs_err": err,
            "min_r": args.min_r, "max_err": args.max_err, "pass": passed, "fit": fit}


# ---------------------------------------------------------------- colocate [§9]

def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def study_colocate(clean, args):
    if not (args.decisions and args.universe and args.instance):
        sys.exit("studies_reference: colocate needs --decisions, --universe and --instance")
    universe = [(parse_ts(u["ts"]), float(u["scan_number"]), i, u["symbols"].split())
                for i, u in enumerate(read_rows(args.universe))
                if u["instance_id"] == args.instance]
    universe.sort(key=lambda u: u[:3])
    universe_ts = np.array([u[0] for u in universe], dtype=np.float64)

    actuated = {}
    for d in read_rows(args.decisions):
        if d["instance_id"] == args.instance and d["actuated"].strip().lower() == "true":
            actuated.setdefault(d["asset"], []).append(parse_ts(d["ts"]))
    actuated = {a: np.array(sorted(ts), dtype=np.float64) for a, ts in actuated.items()}

    in_universe = colocated = 0
    for t in clean:
        at = int(np.searchsorted(universe_ts, t["entry_ts"], side="right")) - 1
        if at >= 0 and t["asset"] in universe[at][3]:
            in_universe += 1
        ts = actuated.get(t["asset"])
        if ts is not None and ts.size > 0:
            j = int(np.searchsorted(ts, t["entry_ts"] - WINDOW_MS, side="left"))
            if j < ts.size and abs(ts[j] - t["entry_ts"]) <= WINDOW_MS:
                colocated += 1
    n = len(clean)
    return {"trades": n, "instance": args.instance, "window_ms": WINDOW_MS,
            "in_universe": in_universe, "in_universe_share": share(in_universe, n),
            "colocated": colocated, "colocated_share": share(colocated, n)}


# ---------------------------------------------------------------- main

STUDIES = {"margin": study_margin, "regime": study_regime, "sizing": study_sizing,
           "parity": study_parity, "colocate": study_colocate}


def main():
    ap = argparse.ArgumentParser(description="numpy reference for `violet study`")
    ap.add_argument("study", choices=["clean", *STUDIES])
    ap.add_argument("--trades", required=True)
    ap.add_argument("--max-p95-util", type=float, default=0.75)
    ap.add_argument("--max-leverage", type=float, default=9.0)
    ap.add_argument("--min-r", type=float, default=0.999)
    ap.add_argument("--max-err", type=float, default=0.25)
    ap.add_argument("--decisions")
    ap.add_argument("--universe")
    ap.add_argument("--instance")
    args = ap.parse_args()

    report, clean = clean_trades(read_trades(args.trades))
    out = report if args.study == "clean" else STUDIES[args.study](clean, args)
    print(json.dumps(out, indent=2, allow_nan=False))
    if args.study == "parity" and not out["pass"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
