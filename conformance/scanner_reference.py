"""Independent reference for the scanner's eigenvalue table (price bars -> λmax per window).

Straight from the definition, with numpy: the grid of every multiple of the interval from
the first bar to the last; r[k, a] = ln(close[k, a] / close[k-1, a]) where both bars exist;
window w at k holds the assets whose w returns r[k-w+1..k] all exist and are not all
equal; λ = the largest eigenvalue (eigvalsh) of their corrcoef, at least 2 assets;
velocity = λ(k) - λ(k-1). Output rows: ts (grid time + interval), window, n_assets,
lambda_max, velocity (empty when undefined), Python repr floats.

usage: scanner_reference.py INTERVAL_MS W1,W2,... FILE.csv...   (CSV with ts and close;
the symbol is the file name up to its first '-')
"""
import csv
import os
import sys

import numpy as np


def main():
    interval = int(sys.argv[1])
    windows = [int(w) for w in sys.argv[2].split(',')]
    bars = {}
    for path in sys.argv[3:]:
        symbol = os.path.basename(path).split('-')[0]
        with open(path, newline='') as f:
            for row in csv.DictReader(f):
                bars.setdefault(symbol, {})[int(row['ts'])] = float(row['close'])
    symbols = sorted(bars)
    first = min(min(b) for b in bars.values())
    last = max(max(b) for b in bars.values())
    grid = list(range(first, last + 1, interval))
    close = np.full((len(grid), len(symbols)), np.nan)
    for a, s in enumerate(symbols):
        for t, c in bars[s].items():
            close[(t - first) // interval, a] = c
    r = np.full_like(close, np.nan)
    r[1:] = np.log(close[1:] / close[:-1])
    out = csv.writer(sys.stdout, lineterminator='\n')
    out.writerow(['ts', 'window', 'n_assets', 'lambda_max', 'velocity'])
    prev = {w: None for w in windows}
    for k in range(len(grid)):
        for w in windows:
            lam = None
            members = []
            if k - w + 1 >= 1:
                block = r[k - w + 1:k + 1]
                for a in range(len(symbols)):
                    x = block[:, a]
                    if np.all(np.isfinite(x)) and not np.all(x == x[0]):
                        members.append(a)
                if len(members) >= 2:
                    c = np.corrcoef(block[:, members].T)
                    lam = float(np.linalg.eigvalsh(c)[-1])
            if lam is not None:
                vel = '' if prev[w] is None else repr(lam - prev[w])
                out.writerow([grid[k] + interval, w, len(members), repr(lam), vel])
            prev[w] = lam


if __name__ == '__main__':
    main()
