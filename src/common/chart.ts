// Small SVG charts (equity curves, histograms): no dependency, deterministic bytes.
import { compact, fixed } from './format.js';

export interface Series {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

const W = 900;
const H = 360;
const PAD = 48;

export function lineChartSvg(title: string, xLabel: string, yLabel: string, s: Series): string {
  const xs = s.x;
  const ys = s.y;
  const x0 = xs[0] ?? 0;
  const x1 = xs.at(-1) ?? 1;
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (!(y1 > y0)) {
    y0 -= 1;
    y1 += 1;
  }
  const px = (x: number) => PAD + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * PAD);
  const py = (y: number) => H - PAD - ((y - y0) / (y1 - y0)) * (H - 2 * PAD);
  const points = xs.map((x, i) => `${fixed(px(x), 1)},${fixed(py(ys[i] as number), 1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>
<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#888"/>
<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#888"/>
<text x="${PAD}" y="${H - PAD + 16}">${compact(x0)}</text>
<text x="${W - PAD}" y="${H - PAD + 16}" text-anchor="end">${compact(x1)}</text>
<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${xLabel}</text>
<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end">${compact(y0)}</text>
<text x="${PAD - 4}" y="${PAD + 4}" text-anchor="end">${compact(y1)}</text>
<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">${yLabel}</text>
<polyline fill="none" stroke="#6a3fb5" stroke-width="1.5" points="${points}"/>
</svg>
`;
}

/** Vertical bars, one per label (histograms, per-group values). */
export function barChartSvg(
  title: string,
  labels: readonly string[],
  values: readonly number[],
): string {
  const n = Math.max(labels.length, 1);
  const top = Math.max(0, ...values);
  const bottom = Math.min(0, ...values);
  const span = top - bottom || 1;
  const bw = (W - 2 * PAD) / n;
  const py = (y: number) => H - PAD - ((y - bottom) / span) * (H - 2 * PAD);
  const bars = values
    .map((v, i) => {
      const y = Math.min(py(v), py(0));
      const h = Math.abs(py(v) - py(0));
      const x = PAD + i * bw;
      return `<rect x="${fixed(x + 1, 1)}" y="${fixed(y, 1)}" width="${fixed(Math.max(bw - 2, 1), 1)}" height="${fixed(h, 1)}" fill="#6a3fb5"/>
<text x="${fixed(x + bw / 2, 1)}" y="${H - PAD + 14}" text-anchor="middle" font-size="9">${escapeXml(labels[i] ?? '')}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>
<line x1="${PAD}" y1="${fixed(py(0), 1)}" x2="${W - PAD}" y2="${fixed(py(0), 1)}" stroke="#888"/>
<text x="${PAD - 4}" y="${PAD + 4}" text-anchor="end">${compact(top)}</text>
<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end">${compact(bottom)}</text>
${bars}
</svg>
`;
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
