// Exit engine (SPEC §4, VIOLET V7): per open position, at each exit-check, the rules in
// this order: HIBERNATE_HALT, STOP_LOSS, TP1 (partial), TRAIL_STOP (after TP1), TP2,
// MAX_HOLD, SIGNAL_REVERSAL. Pure: the caller fills the legs it returns.
import type { Posture } from '../model/index.js';

export const EXIT_REASONS = [
  'HIBERNATE_HALT',
  'STOP_LOSS',
  'TP1',
  'TRAIL_STOP',
  'TP2',
  'MAX_HOLD',
  'SIGNAL_REVERSAL',
  'LIQUIDATION',
  'DAILY_LOSS_LIMIT',
  'FLATTENED',
  'VENUE_STOP',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface ExitParams {
  /** Price return against the position (fraction) that stops it out. */
  readonly stop_loss: number;
  readonly tp1: number;
  /** Share of the original quantity the TP1 leg closes. */
  readonly tp1_fraction: number;
  /** Giveback from the best return, after TP1, that trails the rest out. */
  readonly trail_giveback: number;
  readonly tp2: number;
  readonly max_hold_scans: number;
  /** A vel_div above this reverses the short signal. */
  readonly reversal_vel_div: number;
}

export const EXITS: ExitParams = Object.freeze({
  stop_loss: 0.015,
  tp1: 0.006,
  tp1_fraction: 0.5,
  trail_giveback: 0.003,
  tp2: 0.012,
  max_hold_scans: 120,
  reversal_vel_div: 0.02,
});

export interface PositionView {
  /** Return of the position at the mark price (a short gains when price falls). */
  readonly ret: number;
  /** Best return seen since entry (including this mark). */
  readonly bestRet: number;
  readonly tp1Done: boolean;
  readonly barsHeld: number;
  readonly quantity: number;
  readonly remaining: number;
}

export interface ExitLegOrder {
  readonly reason: ExitReason;
  readonly quantity: number;
  /** The leg closes whatever remains (its quantity is the remainder as this view saw it). */
  readonly all: boolean;
}

/** The legs to close now, in order; empty when the position stays open. */
export function exitLegs(
  p: PositionView,
  posture: Posture,
  velDiv: number,
  x: ExitParams,
): ExitLegOrder[] {
  const all = (reason: ExitReason): ExitLegOrder[] => [
    { reason, quantity: p.remaining, all: true },
  ];
  if (posture === 'HIBERNATE') return all('HIBERNATE_HALT');
  if (p.ret <= -x.stop_loss) return all('STOP_LOSS');
  const legs: ExitLegOrder[] = [];
  let remaining = p.remaining;
  let tp1Done = p.tp1Done;
  if (!tp1Done && p.ret >= x.tp1) {
    const q = Math.min(remaining, p.quantity * x.tp1_fraction);
    legs.push({ reason: 'TP1', quantity: q, all: q >= remaining });
    remaining -= q;
    tp1Done = true;
    if (remaining <= 0) return legs;
  }
  const rest = (reason: ExitReason) => [...legs, { reason, quantity: remaining, all: true }];
  if (tp1Done && p.bestRet - p.ret >= x.trail_giveback) return rest('TRAIL_STOP');
  if (p.ret >= x.tp2) return rest('TP2');
  if (p.barsHeld >= x.max_hold_scans) return rest('MAX_HOLD');
  if (velDiv > x.reversal_vel_div) return rest('SIGNAL_REVERSAL');
  return legs;
}
