// What a path is, for refusals that name it: a reader wants a regular file, and a FIFO
// (whose open blocks until a writer comes), a socket or a device is not one.
import type { Stats } from 'node:fs';

/** What a non-regular file is (`a directory`, `a FIFO`, …); null for a regular file. */
export function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}
