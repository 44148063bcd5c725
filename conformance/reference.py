#!/usr/bin/env python3
# CPython oracle for `violet kernel eval` (SPEC §3).
# Reads JSON Lines on stdin, writes one line per input line.
import json
import math
import sys


class BadInput(Exception):
    pass


# ---------------------------------------------------------------- helpers

def min2(a, b):
    return b if b < a else a


def max2(a, b):
    return b if b > a else a


def py_round(x, n):
    return round(x, n)


def round_half_even(x):
    return round(x)


def _reject_constant(name):
    raise BadInput("non-finite number")


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def to_float(v, name):
    if not is_number(v):
        raise BadInput(name + ": expected number")
    try:
        f = float(v)
    except OverflowError:
        raise BadInput(name + ": not finite")
    if not math.isfinite(f):
        raise BadInput(name + ": not finite")
    return f


def to_int(v, name):
    if isinstance(v, bool) or not isinstance(v, int):
        raise BadInput(name + ": expected integer")
    return v


def req(obj, key):
    if key not in obj:
        raise BadInput("missing field: " + key)
    return obj[key]


def req_float(obj, key):
    return to_float(req(obj, key), key)


def req_enum(obj, key, allowed):
    v = req(obj, key)
    if not isinstance(v, str) or v not in allowed:
        raise BadInput(key + ": bad value")
    return v


def opt_float_or_none(obj, key, required=True):
    # value may be null; key must be present when required
    if key not in obj:
        if required:
            raise BadInput("missing field: " + key)
        return None
    v = obj[key]
    if v is None:
        return None
    return to_float(v, key)


# ---------------------------------------------------------------- params

SIZE_KEYS = ("threshold", "extreme", "convexity", "min_leverage",
             "max_leverage", "base_fraction")
COMPOSE_EXTRA_KEYS = ("base_max_leverage", "abs_max_leverage", "stalker_cap")


def parse_params(obj, allowed, defaults):
    out = dict(defaults)
    if "params" not in obj:
        return out
    params = obj["params"]
    if not isinstance(params, dict):
        raise BadInput("params: expected object")
    for key, v in params.items():
        if key not in allowed:
            raise BadInput("params: unknown key: " + key)
        if key == "convexity":
            c = to_int(v, "params.convexity")
            if c < 1:
                raise BadInput("params.convexity: must be >= 1")
            out[key] = c
        else:
            out[key] = to_float(v, "params." + key)
    return out


def size_defaults(max_leverage=9.0):
    return {
        "threshold": -0.02,
        "extreme": -0.05,
        "convexity": 3,
        "min_leverage": 0.5,
        "max_leverage": max_leverage,
        "base_fraction": 0.20,
    }


# ---------------------------------------------------------------- kernels

def power_by_multiplication(strength, convexity):
    # p = strength; repeat (convexity - 1) times: p = p * strength
    p = strength
    remaining = convexity - 1
    while remaining > 0:
        if p == 0.0 or math.isinf(p) or math.isnan(p) or abs(strength) == 1.0:
            # Further multiplications can only flip the sign; resolve by parity
            # (identical result to continuing the loop).
            if math.copysign(1.0, strength) < 0.0 and remaining % 2 == 1:
                p = p * strength
            return p
        p = p * strength
        remaining -= 1
    return p


def size(vel_div, prm):
    threshold = prm["threshold"]
    extreme = prm["extreme"]
    if not (vel_div < threshold):
        return (False, None, None, None)
    strength = (threshold - vel_div) / (threshold - extreme)
    if strength > 1.0:
        strength = 1.0
    p = power_by_multiplication(strength, prm["convexity"])
    min_leverage = prm["min_leverage"]
    max_leverage = prm["max_leverage"]
    leverage = min_leverage + (max_leverage - min_leverage) * p
    return (True, strength, leverage, prm["base_fraction"])


def esof_mult(score, stale):
    if stale or score is None:
        return 0.4
    if score > 0.02:
        return 1.0
    if score < -0.02:
        return 0.3
    return 0.8


def sc_haircut(leverage, notional, mult):
    mult = min2(max2(mult, 0.0), 1.0)
    if 1.0 - mult < 1e-9:
        return (leverage, notional)
    return (py_round(leverage * mult, 6), py_round(notional * mult, 12))


def exchange_leverage(policy, conviction, cap):
    if policy == "linear":
        c = min2(max2(conviction, 0.5), 9.0)
        x = 1.0 + ((c - 0.5) * (cap - 1.0)) / 8.5
        return min2(max2(round_half_even(x), 1), cap)
    if policy == "cubic":
        u = (min2(max2(conviction, 0.5), 9.0) - 0.5) / 8.5
        x = 1.0 + (cap - 1.0) * ((u * u) * u)
        return min2(max2(round_half_even(x), 1), cap)
    return cap  # flat


def ob_mult(imbalances, d):
    n = len(imbalances)
    if n == 0:
        return 1.0
    s = 0.0
    for x in imbalances:
        s = s + d * x
    eff_imb = s / n
    count = 0
    for x in imbalances:
        if d * x > 0:
            count += 1
    agree = count / n
    if eff_imb > 0.08 and agree > 0.70:
        return min2(1.20, 1.0 + eff_imb)
    elif eff_imb < -0.08 and agree < 0.30:
        return max2(0.85, 1.0 + eff_imb)
    return 1.0


ACB_BOOSTS = (1.0, 1.15, 1.30, 1.45, 1.60)
MC_SCALES = {"GREEN": 1.0, "ORANGE": 0.75, "RED": 0.5}


def regime(acb, w750_velocity, mc_status):
    signals = 0
    fr = acb.get("funding_rate")
    if fr is not None and fr < -0.0001:
        signals += 1
    dv = acb.get("dvol")
    if dv is not None and dv > 80.0:
        signals += 1
    fg = acb.get("fear_greed")
    if fg is not None and fg < 25.0:
        signals += 1
    tr = acb.get("taker_ratio")
    if tr is not None and tr < 0.90:
        signals += 1
    acb_boost = ACB_BOOSTS[signals]
    if w750_velocity is None:
        meta_boost = 1.0
    else:
        meta_boost = 1.0 + min2(max2(-w750_velocity * 5.0, 0.0), 0.25)
    mc_scale = 1.0 if mc_status is None else MC_SCALES[mc_status]
    regime_mult = acb_boost * meta_boost * mc_scale
    return (acb_boost, meta_boost, mc_scale, regime_mult)


# ---------------------------------------------------------------- ops

def op_py_round(obj):
    x = req_float(obj, "x")
    n = to_int(req(obj, "n"), "n")
    return [("y", py_round(x, n))]


def op_round_half_even(obj):
    x = req_float(obj, "x")
    return [("y", round_half_even(x))]


def op_size(obj):
    vel_div = req_float(obj, "vel_div")
    prm = parse_params(obj, SIZE_KEYS, size_defaults())
    actuated, strength, leverage, fraction = size(vel_div, prm)
    return [("actuated", actuated), ("strength", strength),
            ("leverage", leverage), ("fraction", fraction)]


def op_esof_mult(obj):
    score = opt_float_or_none(obj, "score")
    stale = req(obj, "stale")
    if not isinstance(stale, bool):
        raise BadInput("stale: expected bool")
    return [("mult", esof_mult(score, stale))]


def op_sc_haircut(obj):
    leverage = req_float(obj, "leverage")
    notional = req_float(obj, "notional")
    mult = req_float(obj, "mult")
    lev, notl = sc_haircut(leverage, notional, mult)
    return [("leverage", lev), ("notional", notl)]


def op_exchange_leverage(obj):
    policy = req_enum(obj, "policy", ("linear", "cubic", "flat"))
    if policy == "flat":
        conviction = None
        if "conviction" in obj:
            conviction = to_float(obj["conviction"], "conviction")
    else:
        conviction = req_float(obj, "conviction")
    if policy == "cubic" and "cap" not in obj:
        cap = 3
    else:
        cap = to_int(req(obj, "cap"), "cap")
    if cap < 1:
        raise BadInput("cap: must be >= 1")
    return [("exchange_leverage", exchange_leverage(policy, conviction, cap))]


def op_ob_mult(obj):
    imbalances = req(obj, "imbalances")
    if not isinstance(imbalances, list):
        raise BadInput("imbalances: expected array")
    xs = [to_float(v, "imbalances[]") for v in imbalances]
    direction = req_enum(obj, "direction", ("SHORT", "LONG"))
    d = -1.0 if direction == "SHORT" else 1.0
    return [("mult", ob_mult(xs, d))]


def op_regime_mult(obj):
    acb_in = req(obj, "acb")
    if not isinstance(acb_in, dict):
        raise BadInput("acb: expected object")
    acb = {}
    for key in ("funding_rate", "dvol", "fear_greed", "taker_ratio"):
        v = acb_in.get(key)
        acb[key] = None if v is None else to_float(v, "acb." + key)
    w750 = opt_float_or_none(obj, "w750_velocity")
    mc_status = req(obj, "mc_status")
    if mc_status is not None and (not isinstance(mc_status, str)
                                  or mc_status not in MC_SCALES):
        raise BadInput("mc_status: bad value")
    acb_boost, meta_boost, mc_scale, rm = regime(acb, w750, mc_status)
    return [("acb_boost", acb_boost), ("meta_boost", meta_boost),
            ("mc_scale", mc_scale), ("regime_mult", rm)]


def op_compose(obj):
    profile = req_enum(obj, "profile", ("v3-shadow", "orchestrator"))
    vel_div = req_float(obj, "vel_div")
    capital = req_float(obj, "capital")
    dc_mult = req_float(obj, "dc_mult")
    regime_mult = req_float(obj, "regime_mult")
    ob = req_float(obj, "ob_mult")
    esof = req_float(obj, "esof_mult")
    sc_mult = opt_float_or_none(obj, "sc_mult", required=False)
    if sc_mult is None:
        sc_mult = 1.0
    posture = req_enum(obj, "posture", ("APEX", "STALKER", "HIBERNATE"))
    defaults = size_defaults(9.0 if profile == "v3-shadow" else 8.0)
    defaults["base_max_leverage"] = 8.0
    defaults["abs_max_leverage"] = 9.0
    defaults["stalker_cap"] = 2.0
    prm = parse_params(obj, SIZE_KEYS + COMPOSE_EXTRA_KEYS, defaults)

    actuated, _strength, base_leverage, fraction = size(vel_div, prm)
    if not actuated:
        return [("actuated", False), ("base_leverage", None),
                ("leverage", None), ("notional", None)]
    if posture == "HIBERNATE":
        return [("actuated", False), ("base_leverage", base_leverage),
                ("leverage", None), ("notional", None)]
    if profile == "v3-shadow":
        leverage = base_leverage
        notional = capital * fraction * leverage
        leverage, notional = sc_haircut(leverage, notional, esof)
    else:
        raw = base_leverage * dc_mult * regime_mult * ob * esof
        clamped_max = min2(prm["base_max_leverage"] * regime_mult * ob * esof,
                           prm["abs_max_leverage"])
        if posture == "STALKER":
            clamped_max = min2(clamped_max, prm["stalker_cap"])
        leverage = min2(raw, clamped_max)
        leverage = max2(prm["min_leverage"], leverage)
        notional = capital * fraction * leverage
        leverage, notional = sc_haircut(leverage, notional, sc_mult)
    return [("actuated", True), ("base_leverage", base_leverage),
            ("leverage", leverage), ("notional", notional)]


OPS = {
    "py_round": op_py_round,
    "round_half_even": op_round_half_even,
    "size": op_size,
    "esof_mult": op_esof_mult,
    "sc_haircut": op_sc_haircut,
    "exchange_leverage": op_exchange_leverage,
    "ob_mult": op_ob_mult,
    "regime_mult": op_regime_mult,
    "compose": op_compose,
}


# ---------------------------------------------------------------- driver

def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def error_line(id_, reason):
    try:
        return dumps({"id": id_, "error": reason})
    except Exception:
        return dumps({"id": None, "error": reason})


def process_line(raw):
    id_ = None
    try:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return error_line(None, "invalid utf-8")
        try:
            obj = json.loads(text, parse_constant=_reject_constant)
        except BadInput as e:
            return error_line(None, str(e))
        except Exception:
            return error_line(None, "invalid json")
        if not isinstance(obj, dict):
            return error_line(None, "not an object")
        id_ = obj.get("id")
        op = obj.get("op")
        if not isinstance(op, str) or op not in OPS:
            return error_line(id_, "unknown op")
        try:
            fields = OPS[op](obj)
        except BadInput as e:
            return error_line(id_, str(e))
        except OverflowError:
            return error_line(id_, "overflow")
        except ValueError:
            return error_line(id_, "value error")
        out = {"id": id_}
        for key, value in fields:
            out[key] = value
        try:
            return dumps(out)
        except ValueError:
            return error_line(id_, "non-finite result")
    except Exception as e:  # never crash
        return error_line(id_, "internal error: " + type(e).__name__)


def main():
    data = sys.stdin.buffer.read()
    out = []
    for raw in data.split(b"\n"):
        if raw.strip() == b"":
            continue
        out.append(process_line(raw))
    sys.stdout.write("".join(line + "\n" for line in out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
