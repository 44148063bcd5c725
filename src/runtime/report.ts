// The soak report from a journal (seed §9): what `violet soak report` and the end of
// `violet shadow` print.

import type { KernelBinding } from '../engine/config.js';
import { openSink } from '../journal/open.js';
import { readDecisions, readRejects } from '../journal/read.js';
import { CLAMP, SIZER_BY_PROFILE, STABLECOIN_SYMBOLS } from '../kernel/index.js';
import type { Profile } from '../model/index.js';
import { type SoakReport, soakReport } from '../studies/soak/index.js';

/**
 * `kernel`: the run's own binding (its sizer and clamp, from its config); without it (a
 * journal read later) the profile's defaults, as the journal keeps the config's hash only.
 */
export async function soakReportFromJournal(
  journal: string,
  instance: string | null,
  extra: { orders: number; errors: number } = { orders: 0, errors: 0 },
  kernel: Pick<KernelBinding, 'sizer' | 'clamp'> | null = null,
): Promise<SoakReport> {
  const sink = await openSink(journal);
  try {
    const decisions = await readDecisions(sink, instance);
    const rejects = await readRejects(sink, instance);
    const profile = (decisions[0]?.profile ?? 'orchestrator') as Profile;
    const sizer = kernel?.sizer ?? SIZER_BY_PROFILE[profile];
    const clamp = kernel?.clamp ?? CLAMP;
    return soakReport({
      decisions,
      rejects,
      orders: extra.orders,
      errors: extra.errors,
      sizer,
      maxComposedLeverage: profile === 'orchestrator' ? clamp.abs_max_leverage : sizer.max_leverage,
      stablecoins: STABLECOIN_SYMBOLS,
    });
  } finally {
    sink.close();
  }
}
