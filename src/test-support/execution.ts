// Scans and decisions for execution tests: one asset, AAAUSDT, at the price given.

import { type DecisionDraft, type DecisionRow, decisionRow } from '../engine/rows.js';
import { type Posture, parseScan, type Scan } from '../model/index.js';

export const T0 = 1_781_000_000_000;

export function scan(
  n: number,
  price: number,
  o: { posture?: Posture; velDiv?: number; ts?: number; funding?: number } = {},
): Scan {
  const r = parseScan({
    scan_number: n,
    ts: o.ts ?? T0 + n * 5000,
    vel_div: o.velDiv ?? -0.01,
    prices: { AAAUSDT: price },
    posture: o.posture ?? 'APEX',
    ...(o.funding === undefined ? {} : { acb: { funding_rate: o.funding } }),
  });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

export function decision(n: number, over: Partial<DecisionDraft> = {}): DecisionRow {
  return decisionRow({
    instance_id: 't',
    scan_number: n,
    ts: T0 + n * 5000,
    profile: 'orchestrator',
    actuated: true,
    reason: 'ACTUATED',
    asset: 'AAAUSDT',
    direction: 'SHORT',
    vel_div: -0.04,
    strength: 0.5,
    base_leverage: 2.5,
    irp_score: 0.5,
    irp_alignment: 0.6,
    universe_size: 1,
    dc_status: 'NEUTRAL',
    dc_mult: 1,
    acb_boost: 1,
    meta_boost: 1,
    mc_scale: 1,
    regime_mult: 1,
    ob_mult: 1,
    esof_score: 0.5,
    esof_stale: false,
    esof_mult: 1,
    sc_mult: 1,
    posture: 'APEX',
    clamped_max: 8,
    leverage: 2.5,
    fraction: 0.2,
    capital: 10_000,
    notional: 1000,
    notional_fraction: 0.1,
    exchange_leverage: 2,
    slot_state: 'FREE',
    btc_price: null,
    btc_ma99: null,
    regime_label: null,
    composite_hash: null,
    kernel_version: 'k',
    config_hash: 'h',
    ...over,
  });
}
