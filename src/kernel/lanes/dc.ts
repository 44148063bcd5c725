// DC lane — direction confirm (SPEC §3.3): did the selected asset already move our way?
import type { DcStatus, Direction } from '../../model/index.js';
import type { DcParams } from '../params/index.js';

export interface DcOut {
  readonly status: DcStatus;
  readonly ret: number | null;
  readonly mult: number;
}

export function dcLane(
  pNow: number,
  pThen: number | null,
  direction: Direction,
  p: DcParams,
): DcOut {
  if (pThen === null) return { status: 'NEUTRAL', ret: null, mult: 1.0 };
  const ret = (pNow - pThen) / pThen;
  const confirm = direction === 'SHORT' ? ret <= -p.dc_min_move : ret >= p.dc_min_move;
  const contradict = direction === 'SHORT' ? ret >= p.dc_min_move : ret <= -p.dc_min_move;
  const status: DcStatus = confirm ? 'CONFIRM' : contradict ? 'CONTRADICT' : 'NEUTRAL';
  return { status, ret, mult: status === 'CONFIRM' ? p.dc_leverage_boost : 1.0 };
}
