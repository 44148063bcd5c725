// L1 pure alpha: the canonical kernel (SPEC §3). Imports nothing outside itself and model/.
export * from './compose/index.js';
export * from './exchange/index.js';
export * from './fused/index.js';
export * from './lanes/index.js';
export * from './params/bounds.js';
export * from './params/index.js';
export * from './params/parse.js';
export * from './rounding/index.js';
export * from './selector/index.js';
export * from './sizer/index.js';
