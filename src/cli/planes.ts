// `violet planes set`: one plane value into the live feed's plane bucket.
import type { Command } from 'commander';
import { isPlaneKey, PLANE_KEYS } from '../model/index.js';
import { connectNats } from '../sources/jetstream.js';
import { PLANES_BUCKET, setPlane } from '../sources/planes.js';
import { UsageError } from './errors.js';

export function registerPlanes(program: Command): void {
  program
    .command('planes')
    .description(`the planes the live engine watches (bucket ${PLANES_BUCKET})`)
    .command('set')
    .description(
      `write one plane: KEY is ${PLANE_KEYS.join(', ')}; JSON its value, checked like the Scan field (e.g. esof '{"score":0.3,"ts":1781000000000}', posture '"STALKER"')`,
    )
    .argument('<key>', PLANE_KEYS.join(' | '))
    .argument('<json>', 'the value as JSON')
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .action(async (key: string, json: string, o: { nats: string }) => {
      if (!isPlaneKey(key))
        throw new UsageError(`unknown plane ${key}: expected ${PLANE_KEYS.join(', ')}`);
      const nc = await connectNats(o.nats, 'violet planes');
      try {
        const r = await setPlane(nc.jetstream(), key, json);
        if (!r.ok) throw new UsageError(r.reason);
        process.stdout.write(`${key} = ${r.value.value} (revision ${r.value.revision})\n`);
      } finally {
        await nc.close();
      }
    });
}
