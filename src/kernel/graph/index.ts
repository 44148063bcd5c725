// The lane graph (SPEC §6, seed §8c): nodes as data, a readable interpreter with taps, a
// compiler to a fused scalar function and a batch kernel, and the verifier between them.
export * from './compile.js';
export * from './graph.js';
export * from './interpret.js';
export * from './ir.js';
export * from './lanes.js';
export * from './profiles.js';
export { SampleRng } from './rng.js';
export * from './row.js';
export * from './sample.js';
export * from './vectors.js';
export * from './verify.js';
