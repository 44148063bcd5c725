// `violet planes set`: one plane value into the live feed's plane bucket.
import { jetstream } from '@nats-io/jetstream';
import type { Command } from 'commander';
import { isPlaneKey, PLANE_KEYS } from '../model/index.js';
import { CADENCE_BUCKET, setCadence } from '../sources/cadence-plane.js';
import { connectNats } from '../sources/jetstream.js';
import { PLANES_BUCKET, setPlane } from '../sources/planes.js';
import { UsageError } from './errors.js';

export function registerPlanes(program: Command): void {
  program
    .command('planes')
    .description(`the planes the live engine watches (bucket ${PLANES_BUCKET})`)
    .command('set')
    .description(
      `write one plane: KEY is ${PLANE_KEYS.join(', ')}; JSON its value, checked like the Scan field (e.g. esof '{"score":0.3,"ts":1781000000000}', posture '"STALKER"'); or KEY cadence with --instance: the actions to set`,
    )
    .argument('<key>', `${PLANE_KEYS.join(' | ')} | cadence`)
    .argument('<json>', 'the value as JSON')
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .option(
      '--instance <id>',
      `cadence only: the instance whose cadence to set (bucket ${CADENCE_BUCKET}), e.g. cadence '{"decide":{"every_scans":5}}' --instance violet-1`,
    )
    .action(async (key: string, json: string, o: { nats: string; instance?: string }) => {
      if (key === 'cadence') {
        if (o.instance === undefined) throw new UsageError('cadence: give --instance ID');
        const nc = await connectNats(o.nats, 'violet planes');
        try {
          const r = await setCadence(jetstream(nc), o.instance, json);
          if (!r.ok) throw new UsageError(r.reason);
          process.stdout.write(
            `cadence of ${o.instance} = ${r.value.value} (revision ${r.value.revision})\n`,
          );
        } finally {
          await nc.close();
        }
        return;
      }
      if (!isPlaneKey(key))
        throw new UsageError(`unknown plane ${key}: expected ${PLANE_KEYS.join(', ')}, cadence`);
      if (o.instance !== undefined) throw new UsageError('--instance applies to cadence only');
      const nc = await connectNats(o.nats, 'violet planes');
      try {
        const r = await setPlane(jetstream(nc), key, json);
        if (!r.ok) throw new UsageError(r.reason);
        process.stdout.write(`${key} = ${r.value.value} (revision ${r.value.revision})\n`);
      } finally {
        await nc.close();
      }
    });
}
