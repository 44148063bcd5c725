// `violet status`: the live feed as the engine sees it: its consumer's lag, what waits for an
// acknowledgement, the stream's last scan and its age, and each plane's age.
import type { Command } from 'commander';
import { systemClock } from '../engine/clock.js';
import { DEFAULTS } from '../engine/config.js';
import { PLANE_KEYS } from '../model/index.js';
import { connectNats, DEFAULT_STREAM } from '../sources/jetstream.js';
import { type FeedStatus, feedStatus } from '../sources/status.js';
import { JSON_HELP } from './options.js';
import { STDOUT, writeJson } from './output.js';
import { table } from './table.js';

const age = (ms: number | null) => (ms === null ? '' : `${(ms / 1000).toFixed(1)} s ago`);

/** `now`: wall ms, for the engine's uptime. */
function statusText(s: FeedStatus, now: number): string {
  const st = s.stream_state;
  const lines = [
    st === null
      ? `stream ${s.stream}: not created yet (violet publish or the engine creates it)`
      : `stream ${s.stream}: ${st.messages} messages, last sequence ${st.last_seq}${st.last_age_ms === null ? '' : `, ${age(st.last_age_ms)}`}`,
  ];
  const c = s.consumer;
  lines.push(
    c === null
      ? `consumer ${s.durable}: not created yet (the engine creates it)`
      : `consumer ${c.name}: lag ${c.num_pending}, ack pending ${c.num_ack_pending}, redelivered ${c.num_redelivered}, delivered up to ${c.delivered_seq}, acknowledged up to ${c.ack_floor_seq}`,
  );
  const e = s.engine;
  if (e === null) lines.push(`engine: none holds ${s.durable} (not running, or gone)`);
  else {
    const st = (e.status ?? {}) as Record<string, unknown>;
    lines.push(
      `engine: pid ${e.pid} on ${e.host}, up ${((now - e.since_ms) / 1000).toFixed(0)} s, reported ${age(e.renewed_age_ms)}`,
    );
    if (e.status !== null && e.status !== undefined) {
      lines.push(
        `  last scan ${st.lastScanNumber ?? '-'}${typeof st.last_scan_age_ms === 'number' ? ` (${age(st.last_scan_age_ms)})` : ''}, ${st.accepted} scans, ${st.decisions} decisions, ${st.rejected} rejected, ${st.redeliveries} redeliveries, spool depth ${st.spool_depth}${st.journal_error ? `, journal error: ${st.journal_error}` : ''}`,
      );
    }
  }
  const planes = table(
    ['plane', 'value', 'written'],
    PLANE_KEYS.map((k) => {
      const p = s.planes[k];
      return [k, p === null ? '(none)' : JSON.stringify(p.value), p === null ? '' : age(p.age_ms)];
    }),
  );
  return `${lines.join('\n')}\n\n${planes}`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'the live feed: consumer lag, ack pending, redeliveries, last scan, plane ages, and the engine (rejects, spool depth)',
    )
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .option('--stream <name>', 'JetStream stream of the scans', DEFAULT_STREAM)
    .option('--durable <name>', "the engine's durable consumer", DEFAULTS.instance_id)
    .option('--json <file>', `write the status as JSON ${JSON_HELP}`)
    .action(async (o: { nats: string; stream: string; durable: string; json?: string }) => {
      const nc = await connectNats(o.nats, 'violet status');
      try {
        const s = await feedStatus(nc, o.stream, o.durable, systemClock);
        if (o.json !== undefined) writeJson(o.json, s);
        if (o.json !== STDOUT) process.stdout.write(statusText(s, systemClock.now()));
      } finally {
        await nc.close();
      }
    });
}
