// Cadence control plane (seed V3b): every action has its own quantum, every k scans or
// every t ms of clock time, readable and changeable while running; every change audited.
import { asObj, guard, InvalidInput, integer, type Result, rejectUnknown } from '../model/index.js';

export const ACTIONS = [
  'decide',
  'exit-check',
  'journal-flush',
  'stats-snapshot',
  'report',
] as const;
export type CadenceAction = (typeof ACTIONS)[number];

export type Quantum = { readonly every_scans: number } | { readonly every_ms: number };

/** Quanta to set, by action (a live feed's cadence plane value). */
export type CadenceValue = Partial<Record<CadenceAction, Quantum>>;

/** The longest quanta: 10^8 scans (about 16 years of 5-second scans), 30 days. */
export const MAX_EVERY_SCANS = 100_000_000;
export const MAX_EVERY_MS = 30 * 86_400_000;

export function parseQuantum(v: unknown, where: string): Quantum {
  const o = asObj(v, where);
  rejectUnknown(o, ['every_scans', 'every_ms'], `${where}.`);
  if ((o.every_scans === undefined) === (o.every_ms === undefined)) {
    throw new InvalidInput(`${where}: give exactly one of every_scans, every_ms`);
  }
  return o.every_scans !== undefined
    ? { every_scans: integer(o.every_scans, `${where}.every_scans`, 1, MAX_EVERY_SCANS) }
    : { every_ms: integer(o.every_ms, `${where}.every_ms`, 1, MAX_EVERY_MS) };
}

export function quantumText(q: Quantum): string {
  return 'every_scans' in q ? `every ${q.every_scans} scans` : `every ${q.every_ms} ms`;
}

/** The inverse of `quantumText` (the audit trail's old_value/new_value). */
export function parseQuantumText(text: string): Quantum {
  const m = /^every (\d+) (scans|ms)$/.exec(text);
  if (m === null) throw new Error(`not a quantum: ${JSON.stringify(text)}`);
  return m[2] === 'scans' ? { every_scans: Number(m[1]) } : { every_ms: Number(m[1]) };
}

export function sameQuantum(a: Quantum, b: Quantum): boolean {
  return quantumText(a) === quantumText(b);
}

export interface CadenceChange {
  readonly action: CadenceAction;
  readonly old: Quantum;
  readonly next: Quantum;
  readonly who: string;
}

/**
 * An action is due when, since it last fired, at least k scans have been seen (every_scans)
 * or at least t ms of clock time have passed (every_ms). A change applies from the next
 * scan on, counted from the action's last firing.
 */
export class CadencePlane {
  private readonly quanta: Map<CadenceAction, Quantum>;
  private readonly lastScan = new Map<CadenceAction, number>();
  private readonly lastMs = new Map<CadenceAction, number>();

  constructor(initial: Readonly<Record<CadenceAction, Quantum>>) {
    this.quanta = new Map(ACTIONS.map((a) => [a, initial[a]]));
  }

  get(action: CadenceAction): Quantum {
    return this.quanta.get(action) as Quantum;
  }

  snapshot(): Record<CadenceAction, Quantum> {
    return Object.fromEntries(ACTIONS.map((a) => [a, this.get(a)])) as Record<
      CadenceAction,
      Quantum
    >;
  }

  set(action: CadenceAction, next: Quantum, who: string): CadenceChange {
    const old = this.get(action);
    this.quanta.set(action, next);
    return { action, old, next, who };
  }

  /** Is `action` due at this scan (scanIndex counts accepted scans from 1)? Marks it fired. */
  due(action: CadenceAction, scanIndex: number, nowMs: number): boolean {
    const q = this.get(action);
    let fire: boolean;
    if ('every_scans' in q) {
      fire = scanIndex - (this.lastScan.get(action) ?? 0) >= q.every_scans;
    } else {
      const last = this.lastMs.get(action);
      if (last === undefined) {
        this.lastMs.set(action, nowMs);
        fire = false;
      } else fire = nowMs - last >= q.every_ms;
    }
    if (fire) {
      this.lastScan.set(action, scanIndex);
      this.lastMs.set(action, nowMs);
    }
    return fire;
  }
}

/** Decodes a control-plane write: {"action": "...", "every_scans"|"every_ms": n}. */
export function parseCadenceWrite(
  raw: unknown,
): Result<{ action: CadenceAction; quantum: Quantum }> {
  return guard(() => {
    const o = asObj(raw, 'body');
    rejectUnknown(o, ['action', 'every_scans', 'every_ms'], '');
    const action = o.action;
    if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
      throw new InvalidInput(`action: expected one of ${ACTIONS.join(', ')}`);
    }
    const { action: _, ...q } = o;
    return { action: action as CadenceAction, quantum: parseQuantum(q, 'quantum') };
  });
}
