// `violet start` (npm start): the main job. For now it shows the kernel on seed examples.
import type { Command } from 'commander';
import {
  CLAMP,
  compose,
  cubicExchangeLeverage,
  linearExchangeLeverage,
  SC,
  SIZER_BY_PROFILE,
} from '../kernel/index.js';
import type { Profile } from '../model/index.js';
import { table } from './table.js';

const EXAMPLES: readonly { velDiv: number; profile: Profile; esof: number; note: string }[] = [
  { velDiv: -0.015, profile: 'orchestrator', esof: 1.0, note: 'above threshold: no signal' },
  { velDiv: -0.03375, profile: 'v3-shadow', esof: 1.0, note: 'seed §9 median: conviction ~1.318' },
  { velDiv: -0.04, profile: 'v3-shadow', esof: 0.8, note: 'EsoF neutral haircut' },
  { velDiv: -0.06, profile: 'v3-shadow', esof: 1.0, note: 'saturated: notional/capital 1.80' },
  { velDiv: -605, profile: 'orchestrator', esof: 1.0, note: 'spike saturates (seed §9)' },
  { velDiv: -0.045, profile: 'orchestrator', esof: 0.3, note: 'EsoF unfavourable' },
];

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the main job on the embedded default')
    .action(() => {
      const capital = 10_000;
      const rows = EXAMPLES.map((e) => {
        const r = compose(
          {
            profile: e.profile,
            velDiv: e.velDiv,
            capital,
            dcMult: 1.0,
            regimeMult: 1.0,
            obMult: 1.0,
            esofMult: e.esof,
            scMult: 1.0,
            posture: 'APEX',
          },
          { sizer: SIZER_BY_PROFILE[e.profile], clamp: CLAMP, sc: SC },
        );
        const lev = r.leverage;
        return [
          e.velDiv,
          e.profile,
          r.baseLeverage ?? '-',
          lev ?? '-',
          r.notional === null ? '-' : r.notional / capital,
          lev === null ? '-' : linearExchangeLeverage(lev, 5),
          lev === null ? '-' : cubicExchangeLeverage(lev, 3),
          e.note,
        ];
      });
      process.stdout.write(
        `VIOLET canonical kernel on seed examples (capital ${capital}):\n\n${table(
          [
            'vel_div',
            'profile',
            'base',
            'leverage',
            'notional/capital',
            'linear5',
            'cubic3',
            'note',
          ],
          rows,
        )}`,
      );
    });
}
