// What a command writes: `--json FILE`, `--md FILE`, … a file, its parent folders created;
// `--json -` the JSON on stdout, in place of the command's text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The `--json` value that means stdout. */
export const STDOUT = '-';

/** Writes `text` to `path`, its parent folders created. */
export function writeOut(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** `value` as JSON (two-space indented, a final newline) to `path`, or stdout for `-`. */
export function writeJson(path: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (path === STDOUT) process.stdout.write(text);
  else writeOut(path, text);
}

/** True when `--json -` takes stdout: the command's text then stays off it. */
export function jsonOnStdout(o: { readonly json?: string }): boolean {
  return o.json === STDOUT;
}
