// The BingX venues a command may name, apart from the adapter (which loads ccxt, over a
// second of start-up): a command's options are built without it.
export const VENUES = ['bingx-vst', 'bingx'] as const;
export type VenueName = (typeof VENUES)[number];
