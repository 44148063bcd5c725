// DISTRACK against the npm sketches in one run (issue 17): adds/s, serialized bytes and
// rank error on the same 1,000,000 values, and the instance pool against one object per
// instance.
import { DDSketch } from '@datadog/sketches-js';
import {
  build,
  encodeIntoCompressedBase64,
  type Histogram,
  initWebAssembly,
} from 'hdr-histogram-js';
import { TDigest as NpmTDigest } from 'tdigest';
import { Rng } from '../common/rng/index.js';
import { Ewma, P2, POOL_QUANTILES, SketchPool, TDigest } from '../distrack/index.js';
import { rankError, stream } from '../test-support/streams.js';
import { bestOf, type Figure } from './harness.js';

const QS = [0.5, 0.99, 0.999] as const;

interface Measured {
  readonly name: string;
  readonly addsPerSec: number;
  readonly bytes: number;
  readonly errors: readonly number[];
}

function measure(
  name: string,
  xs: Float64Array,
  sorted: Float64Array,
  reps: number,
  make: () => { add: (x: number) => void; done: () => void },
  estimate: () => { quantile: (q: number) => number; bytes: () => number; free: () => void },
): Measured {
  const seconds = bestOf(reps, () => {
    const s = make();
    for (let i = 0; i < xs.length; i++) s.add(xs[i] as number);
    s.done();
    return 0;
  });
  const e = estimate();
  const out = {
    name,
    addsPerSec: xs.length / seconds,
    bytes: e.bytes(),
    errors: QS.map((q) => rankError(sorted, q, e.quantile(q))),
  };
  e.free();
  return out;
}

function fig(
  metric: string,
  value: number,
  unit: string,
  baseline: string,
  baselineValue: number,
  target: string | null,
  pass: boolean | null,
): Figure {
  return {
    bench: 'distrack',
    metric,
    value,
    unit,
    baseline,
    baselineValue,
    ratio: value / baselineValue,
    target,
    pass,
  };
}

function sketches(n: number, seed: number): Figure[] {
  // Latencies in µs (lognormal, median 1 ms), integers: what hdr-histogram records.
  const xs = stream('lognormal', n, seed).map((x) => Math.max(1, Math.round(1000 * x)));
  const sorted = xs.slice().sort();
  let ours = new TDigest();
  const oursM = measure(
    'violet t-digest',
    xs,
    sorted,
    5,
    () => {
      ours = new TDigest();
      return { add: (x) => ours.add(x), done: () => ours.serialize() };
    },
    () => ({ quantile: (q) => ours.quantile(q), bytes: () => ours.bytes(), free: () => {} }),
  );
  let npm = new NpmTDigest();
  const npmM = measure(
    'tdigest (npm)',
    xs,
    sorted,
    2,
    () => {
      npm = new NpmTDigest();
      return { add: (x) => npm.push(x), done: () => npm.compress() };
    },
    () => ({
      quantile: (q) => npm.percentile(q),
      bytes: () => Buffer.byteLength(JSON.stringify(npm.toArray())),
      free: () => {},
    }),
  );
  let dd = new DDSketch({ relativeAccuracy: 0.01 });
  const ddM = measure(
    '@datadog/sketches-js (1%)',
    xs,
    sorted,
    3,
    () => {
      dd = new DDSketch({ relativeAccuracy: 0.01 });
      return { add: (x) => dd.accept(x), done: () => {} };
    },
    () => ({
      quantile: (q) => dd.getValueAtQuantile(q),
      bytes: () => dd.toProto().length,
      free: () => {},
    }),
  );
  const hdrOf = () => build({ useWebAssembly: true, numberOfSignificantValueDigits: 3 });
  let hdr: Histogram | null = null;
  const hdrM = measure(
    'hdr-histogram-js (wasm, 3 digits)',
    xs,
    sorted,
    5,
    () => {
      hdr?.destroy();
      const h = hdrOf();
      hdr = h;
      return { add: (x) => h.recordValue(x), done: () => {} };
    },
    () => {
      const h = hdr as Histogram;
      return {
        quantile: (q) => h.getValueAtPercentile(q * 100),
        bytes: () => Buffer.from(encodeIntoCompressedBase64(h), 'base64').length,
        free: () => h.destroy(),
      };
    },
  );
  const all = [oursM, npmM, ddM, hdrM];
  process.stderr.write(
    `distrack: ${n} lognormal µs values\n${all
      .map(
        (m) =>
          `  ${m.name.padEnd(34)} ${(m.addsPerSec / 1e6).toFixed(2).padStart(7)} M adds/s ${String(m.bytes).padStart(8)} B  rank error ${m.errors.map((e) => e.toExponential(1)).join(' ')}`,
      )
      .join('\n')}\n`,
  );
  const figures: Figure[] = [
    fig(
      't-digest adds/s',
      oursM.addsPerSec,
      'adds/s',
      npmM.name,
      npmM.addsPerSec,
      'ratio >= 3',
      oursM.addsPerSec / npmM.addsPerSec >= 3,
    ),
    fig(
      't-digest bytes',
      oursM.bytes,
      'B',
      npmM.name,
      npmM.bytes,
      'ratio <= 0.02',
      oursM.bytes / npmM.bytes <= 0.02,
    ),
    fig(
      't-digest adds/s',
      oursM.addsPerSec,
      'adds/s',
      hdrM.name,
      hdrM.addsPerSec,
      'ratio >= 0.667',
      oursM.addsPerSec / hdrM.addsPerSec >= 1 / 1.5,
    ),
    fig('t-digest adds/s', oursM.addsPerSec, 'adds/s', ddM.name, ddM.addsPerSec, null, null),
    fig('t-digest bytes', oursM.bytes, 'B', hdrM.name, hdrM.bytes, null, null),
    fig('t-digest bytes', oursM.bytes, 'B', ddM.name, ddM.bytes, null, null),
  ];
  const bounds = [5e-4, 1e-4, 2e-5];
  QS.forEach((q, k) => {
    const bound = bounds[k] as number;
    for (const other of [npmM, ddM, hdrM]) {
      // Ratio against a rank error of 0 is undefined: the baseline floor is one rank.
      const theirs = Math.max(other.errors[k] as number, 1 / n);
      const mine = oursM.errors[k] as number;
      figures.push(
        fig(
          `t-digest rank error q=${q}`,
          mine,
          'rank',
          other.name,
          theirs,
          other === npmM ? `value <= ${bound}` : null,
          other === npmM ? mine <= bound : null,
        ),
      );
    }
  });
  return figures;
}

/** Updates per second of a pool fed `who` and `what`, best of three. */
function poolRate(instances: number, who: Int32Array, what: Float64Array): [number, SketchPool] {
  let p = new SketchPool(instances);
  const seconds = bestOf(3, () => {
    p = new SketchPool(instances);
    for (let k = 0; k < who.length; k++) p.add(who[k] as number, what[k] as number);
    return p.quantile(0, 0) || 0;
  });
  return [who.length / seconds, p];
}

function pool(instances: number, rounds: number, seed: number): Figure[] {
  const rng = new Rng(seed);
  const updates = instances * rounds;
  const what = new Float64Array(updates);
  for (let k = 0; k < updates; k++) what[k] = rng.normal();
  // The baseline first, measured on a quiet heap.
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  };
  // One object per instance (a P² of three quantiles and an EWMA), a tenth as many, swept.
  const objN = Math.floor(instances / 10);
  const objUpdates = Math.floor(updates / 10);
  const before = heap();
  let objs = Array.from({ length: objN }, () => ({ p2: new P2(POOL_QUANTILES), ewma: new Ewma() }));
  const objBytes = (heap() - before) / objN;
  const objSeconds = bestOf(3, () => {
    objs = Array.from({ length: objN }, () => ({ p2: new P2(POOL_QUANTILES), ewma: new Ewma() }));
    for (let k = 0; k < objUpdates; k++) {
      const o = objs[k % objN] as { p2: P2; ewma: Ewma };
      o.p2.add(what[k] as number);
      o.ewma.add(what[k] as number);
    }
    return objs[0]?.p2.n ?? 0;
  });
  const objRate = objUpdates / objSeconds;
  objs = [];
  // Each round, every instance takes one value in instance order (a scan fanned out to the
  // instances); the second pattern picks the instance at random for each update.
  const swept = new Int32Array(updates).map((_, k) => k % instances);
  const scattered = new Int32Array(updates).map(() => rng.int(0, instances - 1));
  const [sweptRate, p] = poolRate(instances, swept, what);
  const [scatteredRate] = poolRate(instances, scattered, what);
  const poolBytes = p.bytes() / instances;
  process.stderr.write(
    `distrack pool: ${instances} instances, ${poolBytes} B/instance; swept ${(sweptRate / 1e6).toFixed(2)} M updates/s, scattered ${(scatteredRate / 1e6).toFixed(2)} M updates/s; one object per instance: ${objBytes.toFixed(0)} B/instance, ${(objRate / 1e6).toFixed(2)} M updates/s\n`,
  );
  return [
    fig(
      'pool bytes/instance',
      poolBytes,
      'B',
      'one object per instance',
      objBytes,
      'value <= 256',
      poolBytes <= 256,
    ),
    fig(
      'pool updates/s, swept',
      sweptRate,
      'updates/s',
      'one object per instance',
      objRate,
      'value >= 1e7',
      sweptRate >= 1e7,
    ),
    fig(
      'pool updates/s, scattered',
      scatteredRate,
      'updates/s',
      'pool, swept',
      sweptRate,
      null,
      null,
    ),
  ];
}

export async function benchDistrack(n: number, instances: number, seed: number): Promise<Figure[]> {
  await initWebAssembly();
  return [...sketches(n, seed), ...pool(instances, 10, seed)];
}
