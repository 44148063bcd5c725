// `violet venue check`, and what `live` shares with it: the venue chosen, its keys from the
// environment (never from a file, never printed), another host for it (`--venue-url`), and the
// guards on real money (mainnet needs the config's consent and a loopback override only).

import type { Command } from 'commander';
import { systemClock } from '../engine/clock.js';
import type { EngineConfig } from '../engine/config.js';
import type { Markets } from '../engine/rules/index.js';
import { VENUES, type VenueName } from '../venues/bingx/names.js';
import type { BingxConnection, BingxVenue } from '../venues/bingx/venue.js';
import { loadConfig } from './config.js';
import { CheckFailed, UsageError } from './errors.js';
import { choice, JSON_HELP } from './options.js';
import { jsonOnStdout, writeJson } from './output.js';
import { table } from './table.js';

export const VENUE_HELP = 'bingx-vst: BingX demo trading (VST); bingx: mainnet, real money';
export const VENUE_URL_HELP =
  'send REST and WebSocket to this host instead of the venue (or VIOLET_VENUE_URL): a simulator, a recording proxy';

export interface VenueCliOptions {
  venue: string;
  venueUrl?: string;
}

function loopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The connection `o` and the environment describe, refused where it would be unsafe. */
export function connectionOf(
  o: VenueCliOptions,
  config: EngineConfig,
  purpose: 'trade' | 'read',
  env: NodeJS.ProcessEnv = process.env,
): BingxConnection {
  const venue = VENUES.find((v) => v === o.venue);
  if (venue === undefined) throw new UsageError(`--venue: expected one of ${VENUES.join(', ')}`);
  const apiKey = env.BINGX_API_KEY ?? '';
  const secret = env.BINGX_API_SECRET ?? '';
  if (apiKey === '' || secret === '') {
    throw new UsageError(
      `${venue}: set BINGX_API_KEY and BINGX_API_SECRET in the environment (the venue's API key and secret)`,
    );
  }
  const raw = o.venueUrl ?? env.VIOLET_VENUE_URL;
  let url: string | undefined;
  if (raw !== undefined && raw !== '') {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new UsageError(`--venue-url ${raw}: not a URL (expected http://HOST:PORT)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new UsageError(`--venue-url ${raw}: expected an http:// or https:// URL`);
    }
    if (venue === 'bingx' && !loopback(u.hostname)) {
      throw new UsageError(
        `--venue-url ${raw}: with --venue bingx only a loopback host (a local proxy) may stand in for the venue`,
      );
    }
    url = `${u.protocol}//${u.host}`;
  }
  // Reading mainnet (venue check) is safe; a session on it needs the config's consent too.
  if (venue === 'bingx' && purpose === 'trade' && !config.venue.mainnet) {
    throw new UsageError(
      '--venue bingx trades real money: the config must say so too ("venue": {"mainnet": true})',
    );
  }
  return { venue: venue as VenueName, apiKey, secret, ...(url === undefined ? {} : { url }) };
}

/** The venue's contract list, read in its own shape (the same parser as `--markets`). */
export async function venueMarkets(venue: BingxVenue, source: string): Promise<Markets> {
  const r = await venue.markets(source);
  if (!r.ok) throw new CheckFailed(`${source}: ${r.reason}`);
  return r.value;
}

/** A failure of the venue as one line: ccxt's class and message, the request left out. */
export function venueError(e: unknown): string {
  const err = e as Error;
  return `${err.constructor?.name ?? 'Error'}: ${String(err.message ?? e).split('\n')[0]}`;
}

interface Check {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Reads only: keys, clock, position mode, the allowed markets, margin mode and leverage. */
export async function venueCheck(o: VenueCliOptions & { config?: string }): Promise<Check[]> {
  const config = loadConfig(o.config, {});
  const c = connectionOf(o, config, 'read');
  // The adapter (and ccxt) loads only when a venue is to be reached.
  const { BingxVenue, bingxClient } = await import('../venues/bingx/venue.js');
  const ex = bingxClient(c);
  const venue = new BingxVenue(ex, { sleep: (ms, signal) => systemClock.sleep(ms, signal) });
  const checks: Check[] = [];
  const step = async (check: string, f: () => Promise<[boolean, string]>) => {
    try {
      const [ok, detail] = await f();
      checks.push({ check, ok, detail });
      return ok;
    } catch (e) {
      checks.push({ check, ok: false, detail: venueError(e) });
      return false;
    }
  };
  let markets: Markets | null = null;
  const reached = await step('markets', async () => {
    markets = await venueMarkets(venue, `${c.venue} contracts`);
    return [true, `${markets.size} USDT-M perpetual contracts`];
  });
  if (!reached) return checks;
  let usdt: number | null = null;
  const keys = await step('keys', async () => {
    const b = await ex.fetchBalance({ type: 'swap' });
    usdt = (b.total as unknown as Record<string, number | undefined>).USDT ?? 0;
    return [true, `accepted; USDT balance ${usdt}`];
  });
  if (keys) {
    // The engine sizes against the config's capital: the account must hold it.
    await step('capital', async () => [
      (usdt ?? 0) >= config.capital,
      `${usdt ?? 0} USDT on the venue for a config capital of ${config.capital}`,
    ]);
  }
  await step('clock skew', async () => {
    const before = systemClock.now();
    const server = await ex.fetchTime();
    const after = systemClock.now();
    const skew = (server ?? 0) - (before + after) / 2;
    return [Math.abs(skew) < 1000, `${Math.round(skew)} ms (venue − here; under 1000 ms needed)`];
  });
  await step('position mode', async () => {
    const m = await ex.fetchPositionMode();
    return [m.hedged === false, m.hedged ? 'hedge mode: set one-way mode' : 'one-way'];
  });
  const symbols = config.execution.caps.symbols;
  const listed = markets as Markets | null;
  for (const s of symbols ?? []) {
    const m = listed?.bySymbol(s) ?? null;
    const ok = await step(`market ${s}`, async () =>
      m === null
        ? [false, 'not listed by the venue']
        : [
            m.tradable,
            `${m.venueId}: tick 1e-${m.priceDecimals}, step 1e-${m.quantityDecimals}, min ${m.minQuantity} / ${m.minNotional} USDT, max short leverage ${m.maxShortLeverage}${m.tradable ? '' : ', closed to API trading'}`,
          ],
    );
    if (!ok || m === null) continue;
    await step(`margin ${s}`, async () => {
      const mm = await ex.fetchMarginMode(m.unified);
      const lev = await ex.fetchLeverage(m.unified);
      const cap = Math.min(config.execution.caps.max_exchange_leverage, m.maxShortLeverage);
      return [
        cap >= 1,
        `${mm.marginMode ?? '?'} margin (isolated is set before each entry), leverage ${lev.shortLeverage ?? '?'} now, up to ${cap} allowed`,
      ];
    });
  }
  if (symbols === null) {
    checks.push({
      check: 'allowed symbols',
      ok: true,
      detail: 'every listed market (set execution.caps.symbols to check some)',
    });
  }
  return checks;
}

export function registerVenue(program: Command): void {
  program
    .command('venue')
    .description('the trading venue')
    .command('check')
    .description(
      'check keys, clock skew, position mode, the allowed markets, margin mode and leverage: reads only, no order',
    )
    .addOption(choice('--venue <name>', VENUE_HELP, VENUES).makeOptionMandatory())
    .option('--config <file>', 'engine config (JSON): its execution.caps name the markets to check')
    .option('--venue-url <url>', VENUE_URL_HELP)
    .option('--json <file>', `also write the checks as JSON ${JSON_HELP}`)
    .action(async (o: VenueCliOptions & { config?: string; json?: string }) => {
      const checks = await venueCheck(o);
      if (o.json !== undefined) writeJson(o.json, { venue: o.venue, checks });
      if (!jsonOnStdout(o)) {
        process.stdout.write(
          `VIOLET venue check (${o.venue})\n\n${table(
            ['check', 'result', 'detail'],
            checks.map((c) => [c.check, c.ok ? 'ok' : 'FAIL', c.detail]),
          )}`,
        );
      }
      const failed = checks.filter((c) => !c.ok);
      if (failed.length > 0) {
        throw new CheckFailed(`venue check: ${failed.map((c) => c.check).join(', ')} failed`);
      }
    });
}
