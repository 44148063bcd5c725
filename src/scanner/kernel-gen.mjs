#!/usr/bin/env node
// Assembles src/scanner/kernel.wat into src/scanner/kernel-wasm.ts (the bytes, base64), the
// module the scanner loads: `npm run wasm` after editing the text. A test checks that the
// committed bytes are what the text assembles to.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export async function assemble(source) {
  const wabt = await initWabt();
  const module = wabt.parseWat('kernel.wat', source, { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

export function render(bytes) {
  const b64 = bytes.toString('base64');
  const lines = [];
  for (let i = 0; i < b64.length; i += 88) lines.push(`  '${b64.slice(i, i + 88)}',`);
  return [
    '// Generated from kernel.wat by kernel-gen.mjs (npm run wasm): do not edit.',
    'export const KERNEL_WASM_BASE64 = [',
    ...lines,
    "].join('');",
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = new URL('.', import.meta.url);
  const bytes = await assemble(readFileSync(new URL('kernel.wat', here), 'utf8'));
  writeFileSync(new URL('kernel-wasm.ts', here), render(bytes));
  process.stdout.write(`kernel.wat → kernel-wasm.ts (${bytes.length} bytes)\n`);
}
