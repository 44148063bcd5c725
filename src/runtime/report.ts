// The soak report from a journal (seed §9): what `violet soak report` and the end of
// `violet shadow` print.

import { openSink } from '../journal/open.js';
import { readDecisions, readRejects } from '../journal/read.js';
import { CLAMP, SIZER_BY_PROFILE, STABLECOIN_SYMBOLS } from '../kernel/index.js';
import type { Profile } from '../model/index.js';
import { type SoakReport, soakReport } from '../studies/soak/index.js';

export async function soakReportFromJournal(
  journal: string,
  instance: string | null,
  extra: { orders: number; errors: number } = { orders: 0, errors: 0 },
): Promise<SoakReport> {
  const sink = await openSink(journal);
  try {
    const decisions = await readDecisions(sink, instance);
    const rejects = await readRejects(sink, instance);
    const profile = (decisions[0]?.profile ?? 'orchestrator') as Profile;
    return soakReport({
      decisions,
      rejects,
      orders: extra.orders,
      errors: extra.errors,
      sizer: SIZER_BY_PROFILE[profile],
      maxComposedLeverage:
        profile === 'orchestrator'
          ? CLAMP.abs_max_leverage
          : SIZER_BY_PROFILE[profile].max_leverage,
      stablecoins: STABLECOIN_SYMBOLS,
    });
  } finally {
    sink.close();
  }
}
