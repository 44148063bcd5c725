#!/usr/bin/env node
// Assembles the WebAssembly kernels from their text into TypeScript modules holding their
// bytes (base64): src/scanner/kernel.wat (the scanner's) and src/engine/irp.wat (the
// selector's sums). `npm run wasm` after editing a text; a test checks for each that the
// committed bytes are what its text assembles to.
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

/** The kernels: text, module, and the name of the constant that holds the bytes. */
export const KERNELS = [
  { wat: '../scanner/kernel.wat', ts: '../scanner/kernel-wasm.ts', name: 'KERNEL_WASM_BASE64' },
  { wat: '../engine/irp.wat', ts: '../engine/irp-wasm.ts', name: 'IRP_WASM_BASE64' },
];

export function render(bytes, name = 'KERNEL_WASM_BASE64', from = 'kernel.wat') {
  const b64 = bytes.toString('base64');
  const lines = [];
  for (let i = 0; i < b64.length; i += 88) lines.push(`  '${b64.slice(i, i + 88)}',`);
  return [
    `// Generated from ${from} by kernel-gen.mjs (npm run wasm): do not edit.`,
    `export const ${name} = [`,
    ...lines,
    "].join('');",
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const k of KERNELS) {
    const wat = new URL(k.wat, import.meta.url);
    const bytes = await assemble(readFileSync(wat, 'utf8'));
    const from = k.wat.split('/').at(-1);
    writeFileSync(new URL(k.ts, import.meta.url), render(bytes, k.name, from));
    process.stdout.write(`${k.wat} → ${k.ts} (${bytes.length} bytes)\n`);
  }
}
