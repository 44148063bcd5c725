// `violet publish`: a JSON Lines archive onto the live feed's stream, line by line, as is.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { fixed } from '../common/format.js';
import { connectNats, DEFAULT_STREAM, DEFAULT_SUBJECT } from '../sources/jetstream.js';
import { type PublishSummary, publishArchive } from '../sources/publish.js';
import { UsageError } from './errors.js';
import { JSON_HELP, nonNegativeInt } from './options.js';
import { STDOUT, writeJson } from './output.js';
import { progressBar } from './progress.js';

interface PublishCliOptions {
  scans: string;
  nats: string;
  stream: string;
  subject: string;
  rate: number;
  json?: string;
}

function summaryLine(s: PublishSummary): string {
  const seqs = s.first_seq === null ? '' : `, stream sequences ${s.first_seq}..${s.last_seq}`;
  return `published ${s.lines} lines to ${s.stream} (${s.subject}) in ${fixed(s.seconds, 1)} s: ${s.stored} stored, ${s.duplicates} duplicates${seqs}\n`;
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description(
      'publish a scan archive onto the live feed: every line as is, deduplicated by file, line and content',
    )
    .requiredOption('--scans <file>', 'scan archive (.jsonl)')
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .option('--stream <name>', 'JetStream stream (created when missing)', DEFAULT_STREAM)
    .option('--subject <subject>', 'subject of the scans', DEFAULT_SUBJECT)
    .option(
      '--rate <scans/s>',
      'publishing pace, 0 = as fast as the server takes them',
      nonNegativeInt,
      0,
    )
    .option('--json <file>', `write the summary as JSON ${JSON_HELP}`)
    .action(async (o: PublishCliOptions) => {
      if (!o.scans.endsWith('.jsonl')) throw new UsageError('publish reads a .jsonl archive');
      if (!existsSync(o.scans)) throw new UsageError(`no such scan archive: ${o.scans}`);
      const bar = progressBar(statSync(o.scans).size, 'bytes');
      const nc = await connectNats(o.nats, 'violet publish');
      let s: PublishSummary;
      try {
        s = await publishArchive(nc, {
          file: o.scans,
          stream: o.stream,
          subject: o.subject,
          rate: o.rate,
          onProgress: (bytes, lines) => bar.update(bytes, { note: `${lines} lines` }),
        });
      } finally {
        bar.stop();
        await nc.close();
      }
      if (o.json !== undefined) writeJson(o.json, s);
      if (o.json !== STDOUT) process.stdout.write(summaryLine(s));
    });
}
