// `violet live`: the engine on a venue (SPEC §8, issue 14). The decision path is the shadow's
// and the backtest's; DARK (the default) decides and journals what it would order, armed
// (`--arm`) the orders go to the venue. The session's summary is the backtest's.
import type { Command } from 'commander';
import { systemClock, type Timer } from '../engine/clock.js';
import type { EngineConfig, ReconcilePolicy } from '../engine/config.js';
import type { Venue } from '../engine/ports.js';
import {
  POSITION_STATE,
  type PositionStateRow,
  VENUE_FILLS,
  VENUE_ORDERS,
} from '../engine/rows.js';
import { type ExecutionRules, fromUnits, type Markets, toUnits } from '../engine/rules/index.js';
import { DarkExecution, type Stray, VenueExecutor, type VenueState } from '../engine/venue.js';
import { quote } from '../journal/read.js';
import type { JournalSink } from '../journal/sink.js';
import { PROFILES } from '../model/enums.js';
import { archiveSource } from '../sources/index.js';
import { DEFAULT_STREAM, DEFAULT_SUBJECT } from '../sources/jetstream.js';
import { natsSource } from '../sources/nats.js';
import { VENUES } from '../venues/bingx/names.js';
import type { BingxVenue, Holdings } from '../venues/bingx/venue.js';
import { runWithProgress, summaryText } from './backtest.js';
import { loadConfig } from './config.js';
import { CheckFailed, UsageError } from './errors.js';
import { choice, JOURNAL_HELP, JSON_HELP, nonNegativeInt, port } from './options.js';
import { jsonOnStdout, writeJson } from './output.js';
import { interruptedExit } from './signals.js';
import {
  connectionOf,
  VENUE_HELP,
  VENUE_URL_HELP,
  type VenueCliOptions,
  venueError,
  venueMarkets,
} from './venue.js';

export const DEFAULT_LIVE_JOURNAL = 'var/live.duckdb';
/** The venue cancels every open order this long after the last renewal (BingX: 10–120 s). */
export const DEADMAN_TIMEOUT_MS = 60_000;
export const DEADMAN_RENEW_MS = 15_000;
/** Armed, the venue's position is set against the book this often. */
export const RECONCILE_EVERY_MS = 60_000;

/** The armed executor as a live session runs it: the config's book, stop and switch. */
export function armedExecutor(
  config: EngineConfig,
  rules: ExecutionRules,
  venue: Venue,
): VenueExecutor {
  return new VenueExecutor(config.instance_id, config.capital, rules, config.exits, venue, {
    protectiveStop: config.venue.protective_stop,
    deadmanMs: DEADMAN_TIMEOUT_MS,
  });
}

export interface LiveCliOptions extends VenueCliOptions {
  scans?: string;
  nats?: string;
  rate: number;
  config?: string;
  profile?: string;
  instance?: string;
  arm?: boolean;
  journal: string;
  chart: string;
  json?: string;
  controlPort?: number;
  controlToken?: string;
}

/** The archive (--scans, not on mainnet) or the live feed (--nats): exactly one. */
async function liveSource(o: LiveCliOptions, config: EngineConfig, signal: AbortSignal) {
  if ((o.scans === undefined) === (o.nats === undefined)) {
    throw new UsageError('give either --scans FILE or --nats URL');
  }
  if (o.scans !== undefined) {
    if (o.venue === 'bingx') {
      throw new UsageError(
        '--venue bingx takes the live feed (--nats) only: no archived or synthetic prices against real money',
      );
    }
    const s = await archiveSource(o.scans);
    if (typeof s === 'string') throw new UsageError(s);
    return s;
  }
  if (o.rate > 0) throw new UsageError('--rate paces an archive replay, not the live feed');
  return natsSource({
    url: o.nats as string,
    stream: DEFAULT_STREAM,
    subject: DEFAULT_SUBJECT,
    durable: config.instance_id,
    instance: config.instance_id,
    idleExitMs: null,
    signal,
    onEvent: (line) => process.stderr.write(`feed: ${line}\n`),
    planeMaxAgeMs: config.planes.max_age_ms,
    describe: () => null,
    onLeaseLost: (why) => process.stderr.write(`feed: lease lost (${why})\n`),
  });
}

/**
 * Per scan symbol, the short quantity this instance's journal leaves open: its venue fills
 * net, and beside it what orders sent without a journaled fill (cut off by a kill) would add.
 */
async function journaledShorts(
  journal: JournalSink,
  instance: string,
): Promise<Map<string, { filled: number; inFlight: number }>> {
  const signed = `CASE WHEN side = 'sell' THEN quantity ELSE -quantity END`;
  const who = `instance_id = ${quote(instance)}`;
  const filled = await journal.query(
    `SELECT asset, sum(${signed}) AS net FROM ${journal.from(VENUE_FILLS)} WHERE ${who} AND purpose <> 'FUNDING' GROUP BY asset`,
  );
  const sent = await journal.query(
    `SELECT asset, sum(${signed}) AS net FROM ${journal.from(VENUE_ORDERS)} WHERE ${who} AND client_order_id NOT IN (SELECT client_order_id FROM ${journal.from(VENUE_FILLS)} WHERE ${who} AND client_order_id IS NOT NULL) GROUP BY asset`,
  );
  const out = new Map<string, { filled: number; inFlight: number }>();
  for (const r of filled) out.set(String(r.asset), { filled: Number(r.net), inFlight: 0 });
  for (const r of sent) {
    const a = String(r.asset);
    out.set(a, { filled: out.get(a)?.filled ?? 0, inFlight: Number(r.net) });
  }
  return out;
}

/** The last state a venue session of this instance journaled (null: none). */
async function lastState(journal: JournalSink, instance: string): Promise<PositionStateRow | null> {
  const rows = await journal.query(
    `SELECT scan_number, ts, asset, trade_id, state FROM ${journal.from(POSITION_STATE)} WHERE instance_id = ${quote(instance)} ORDER BY scan_number DESC LIMIT 1`,
  );
  const r = rows[0];
  if (r === undefined) return null;
  return {
    instance_id: instance,
    scan_number: Number(r.scan_number),
    ts: Number(r.ts),
    asset: r.asset === null ? null : String(r.asset),
    trade_id: r.trade_id === null ? null : String(r.trade_id),
    state: String(r.state),
  };
}

/** What reconciliation at start decided: what to take over and what to clear. */
interface Reconciled {
  readonly held: Holdings;
  /** The journaled state a restart on the live feed takes over (null: none, or a replay). */
  readonly restore: PositionStateRow | null;
  readonly strays: readonly Stray[];
}

/**
 * Reconciliation at start (after the journal took in every earlier row): what the account
 * holds on the venue against what this instance's journal leaves open, each difference
 * resolved by the config's policy (`venue.reconcile`). DARK reports and goes on. Armed, a
 * position the journal has open is taken over (`known: adopt`) — by the replay of its
 * archive, or on the live feed from the journaled state (the exit rules' TP1, best return
 * and bars held) — or refuses the start (`halt`); one it does not account for, or another
 * client's order, is closed or cancelled at the first scan (`unknown: flatten`) or refuses
 * the start (`halt`).
 */
async function reconcile(
  venue: BingxVenue,
  name: string,
  o: {
    armed: boolean;
    replay: boolean;
    instance: string;
    markets: Markets;
    policy: ReconcilePolicy;
  },
  journal: JournalSink | null,
): Promise<Reconciled> {
  let held: Holdings;
  try {
    held = await venue.holdings();
  } catch (e) {
    throw new CheckFailed(`${name}: cannot read positions and open orders (${venueError(e)})`);
  }
  const open =
    journal === null
      ? new Map<string, { filled: number; inFlight: number }>()
      : await journaledShorts(journal, o.instance);
  const last = journal === null || o.replay ? null : await lastState(journal, o.instance);
  const state = last === null ? null : (JSON.parse(last.state) as VenueState);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const refusals: string[] = [];
  const strays: Stray[] = [];
  // Other clients' orders are cancelled before stray positions close: none can reopen one.
  const cancels: Stray[] = [];
  let restore = last;
  for (const p of held.positions) {
    const market = o.markets.byUnified(p.symbol);
    const symbol = market?.symbol ?? p.symbol;
    const j = open.get(symbol) ?? { filled: 0, inFlight: 0 };
    // What the journal filled, up to what its orders in flight at a kill could have added.
    const low = Math.min(j.filled, j.filled + j.inFlight);
    const high = Math.max(j.filled, j.filled + j.inFlight);
    const slack = 1e-9 * Math.max(1, p.quantity);
    const known = p.side === 'short' && p.quantity >= low - slack && p.quantity <= high + slack;
    const what = `a ${p.side} position of ${p.quantity} ${p.symbol} at ${p.entry_price ?? '?'}`;
    if (known && o.policy.known === 'adopt') {
      const q = state?.position;
      say(
        `venue holds ${what}: this instance's journal has it open; ${
          o.replay
            ? 'the replay takes it over'
            : q !== null && q !== undefined && q.symbol === symbol
              ? `taken over with its journaled exit state (${q.bars_held} bars held, best return ${q.best_ret ?? 'none yet'}, TP1 ${q.tp1_done ? 'taken' : 'not taken'})`
              : 'the feed redelivers the scans that opened it'
        }`,
      );
      continue;
    }
    if (known) {
      say(`venue holds ${what}: the journal has it open, and venue.reconcile.known is "halt"`);
      refusals.push(what);
      continue;
    }
    const why =
      j.filled === 0 ? "unknown to this instance's journal" : `the journal leaves ${j.filled} open`;
    if (o.policy.unknown === 'flatten' && market !== null && p.quantity > 0) {
      const units = toUnits(p.quantity, market.quantityDecimals, 'nearest');
      if (units !== null && units > 0) {
        say(
          `venue holds ${what}, ${why}: ${o.armed ? 'closed' : 'to be closed, armed,'} at the first scan (venue.reconcile.unknown "flatten")`,
        );
        strays.push({
          kind: 'position',
          market,
          side: p.side === 'long' ? 'long' : 'short',
          units,
        });
        continue;
      }
    }
    say(`venue holds ${what}, ${why}`);
    refusals.push(what);
  }
  // The journal's position the venue no longer holds (closed by hand, or liquidated while
  // the engine was down): its state is not taken over.
  const q = state?.position ?? null;
  if (q !== null) {
    const m = o.markets.bySymbol(q.symbol);
    const onVenue = held.positions.some(
      (p) => p.side === 'short' && m !== null && p.symbol === m.unified,
    );
    if (!onVenue) {
      const what = `a short position of ${fromUnits(q.remaining_units, m?.quantityDecimals ?? 0)} ${q.symbol} (trade ${q.trade_id})`;
      say(`the journal has ${what} open that the venue does not hold`);
      if (o.policy.known === 'halt' || o.policy.unknown === 'halt') refusals.push(what);
      else if (state !== null && last !== null) {
        restore = { ...last, state: JSON.stringify({ ...state, position: null }) };
      }
    }
  }
  for (const order of held.open_orders) {
    const ours = order.client_order_id !== null && /^vt[0-9a-f]{30}$/.test(order.client_order_id);
    const what = `an open ${order.side} order of ${order.quantity} ${order.symbol} at ${order.price ?? 'market'} (${order.client_order_id ?? 'no client id'})`;
    if (ours) {
      say(`venue holds ${what}: an order of this engine's, found again by its client id`);
      continue;
    }
    const market = o.markets.byUnified(order.symbol);
    if (o.policy.unknown === 'flatten' && market !== null) {
      say(
        `venue holds ${what}, not this engine's: ${o.armed ? 'cancelled' : 'to be cancelled, armed,'} at the first scan`,
      );
      cancels.push({ kind: 'order', market, orderId: order.id });
      continue;
    }
    say(`venue holds ${what}, not this engine's`);
    refusals.push(what);
  }
  if (o.armed && refusals.length > 0) {
    throw new CheckFailed(
      `${name} holds ${refusals.length} position(s) or order(s) this session does not manage: close or cancel them on the venue (or run DARK) before arming, or set venue.reconcile`,
    );
  }
  return { held, restore, strays: [...cancels, ...strays] };
}

export async function liveCommand(
  o: LiveCliOptions,
): Promise<{ text: string; interrupted: NodeJS.Signals | null }> {
  const config = loadConfig(o.config, { instance: o.instance, profile: o.profile }, true);
  const stop = new AbortController();
  // An archive's refusals first (a bad file is named as such), the venue's before the feed.
  const early = o.nats === undefined ? null : connectionOf(o, config, 'trade');
  const source = await liveSource(o, config, stop.signal);
  let conn: ReturnType<typeof connectionOf>;
  try {
    conn = early ?? connectionOf(o, config, 'trade');
  } catch (e) {
    await (source as { close?: () => Promise<void> }).close?.();
    throw e;
  }
  // The adapter (and ccxt) loads only when a venue is to be reached.
  const { BingxVenue, bingxClient } = await import('../venues/bingx/venue.js');
  const ex = bingxClient(conn);
  const armed = o.arm === true;
  try {
    const venue = new BingxVenue(ex, {
      sleep: (ms, signal) => systemClock.sleep(ms, signal),
      onRetry: (what, e, wait) =>
        process.stderr.write(`venue: ${what}: ${venueError(e)}; again in ${wait} ms\n`),
    });
    let markets: Awaited<ReturnType<typeof venueMarkets>>;
    try {
      markets = await venueMarkets(venue, `${conn.venue} contracts`);
    } catch (e) {
      if (e instanceof CheckFailed) throw e;
      throw new CheckFailed(`${conn.venue}: cannot read the contract list (${venueError(e)})`);
    }
    process.stderr.write(
      `${config.instance_id} on ${conn.venue}${conn.url === undefined ? '' : ` at ${conn.url}`}: ${armed ? 'ARMED — orders go to the venue' : 'DARK — decisions only, no order is sent'}\n`,
    );
    // Armed, the user-data stream tells which orders changed; REST reads the rest of the time.
    if (armed) await venue.watchOrders((line) => process.stderr.write(`venue: ${line}\n`));
    let held: Holdings | null = null;
    // Armed, the venue cancels our open orders should this process stop renewing in time:
    // set once reconciliation lets the session start, before its first order.
    let heartbeat: Timer | null = null;
    let reconciling: Timer | null = null;
    let executor: VenueExecutor | null = null;
    const check = async (journal: JournalSink | null) => {
      const r = await reconcile(
        venue,
        conn.venue,
        {
          armed,
          replay: o.scans !== undefined,
          instance: config.instance_id,
          markets,
          policy: config.venue.reconcile,
        },
        journal,
      );
      held = r.held;
      if (!armed) return;
      if (r.restore !== null) executor?.restore(r.restore);
      executor?.clearAtStart(r.strays);
      // The dead-man's switch covers a resting entry only (the executor sets it before
      // posting one and switches it off once the entry is done): renewed while one rests,
      // and off otherwise, so it never cancels the protective stop of an open position.
      let on = true;
      heartbeat = systemClock.every(DEADMAN_RENEW_MS, () => {
        const resting = executor?.slotState() === 'PENDING';
        if (!resting && !on) return;
        on = resting;
        venue.deadman(resting ? DEADMAN_TIMEOUT_MS : 0).catch((e) => {
          process.stderr.write(`venue: dead-man's switch not renewed: ${venueError(e)}\n`);
        });
      });
      // The venue's position against the book every minute, at the next scan.
      reconciling = systemClock.every(RECONCILE_EVERY_MS, () => executor?.reconcileSoon());
    };
    const { summary, interrupted } = await runWithProgress(
      {
        config,
        source,
        journal: o.journal,
        chart: o.chart,
        markets,
        execution: (rules) => {
          if (!armed)
            return new DarkExecution(config.instance_id, config.capital, rules, config.exits);
          const x = armedExecutor(config, rules, venue);
          executor = x;
          return x;
        },
        beforeRun: check,
        ratePerSec: o.rate,
        ...(o.controlPort === undefined
          ? {}
          : {
              control: {
                port: o.controlPort,
                token: o.controlToken ?? process.env.VIOLET_CONTROL_TOKEN ?? null,
              },
            }),
        onControl: (port) =>
          process.stderr.write(`control endpoint: http://127.0.0.1:${port} (POST /arming)\n`),
        clock: o.nats === undefined ? 'scan' : 'wall',
      },
      stop,
    ).finally(() => {
      // The switch stays set: an entry still resting is cancelled by the venue within the timeout.
      heartbeat?.cancel();
      reconciling?.cancel();
      venue.close();
    });
    if (o.json !== undefined) writeJson(o.json, { ...summary, venue_at_start: held });
    const text = summaryText(summary, o.chart).replace(
      'VIOLET backtest',
      `VIOLET live session on ${conn.venue}, ${armed ? 'armed' : 'DARK'}`,
    );
    return { text, interrupted };
  } finally {
    await ex.close();
    await (source as { close?: () => Promise<void> }).close?.();
  }
}

export function registerLive(program: Command): void {
  program
    .command('live')
    .description(
      'run the engine on a venue: DARK by default (decide, journal what would be ordered, send nothing), orders with --arm',
    )
    .option('--scans <file>', 'scan archive (.jsonl or .parquet); not with --venue bingx')
    .option('--nats <url>', 'live feed: the scan stream on this NATS server')
    .option(
      '--rate <scans/s>',
      'replay pace for --scans, 0 = as fast as possible',
      nonNegativeInt,
      0,
    )
    .addOption(choice('--venue <name>', VENUE_HELP, VENUES).makeOptionMandatory())
    .option('--venue-url <url>', VENUE_URL_HELP)
    .option('--arm', 'send orders (default: DARK, none is sent)')
    .option('--config <file>', 'engine config (JSON): execution, caps, exits; venue.mainnet')
    .addOption(choice('--profile <name>', 'the kernel profile', PROFILES))
    .option('--instance <id>', 'instance id')
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_LIVE_JOURNAL)
    .option('--chart <file>', 'equity-curve chart (SVG)', 'var/reports/live-equity.svg')
    .option(
      '--control-port <port>',
      'serve the control endpoint on 127.0.0.1 (POST /arming: arm, disarm, flatten; 0 = any free port)',
      port,
    )
    .option('--control-token <token>', 'bearer token for control writes (or VIOLET_CONTROL_TOKEN)')
    .option('--json <file>', `also write the session summary as JSON ${JSON_HELP}`)
    .action(async (o: LiveCliOptions) => {
      const { text, interrupted } = await liveCommand(o);
      if (!jsonOnStdout(o)) process.stdout.write(text);
      if (interrupted !== null) interruptedExit(interrupted, o.nats === undefined);
    });
}
