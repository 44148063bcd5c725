// The BingX simulator's refusals: the venue's `{code, msg}` answers, each with the ccxt class
// that ccxt 4.5.84's `exceptions.exact` map in bingx.js raises for its code. Where the venue's
// own code for a case is known but ccxt maps it to no class (a plain ExchangeError), the code
// sent is a mapped one and the venue's is named beside it (see README).

/** A refusal the venue answers with HTTP 200 and a non-zero code. */
export class VenueError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(`${code} ${msg}`);
  }
}

export const refuse = {
  /** 100400 → BadRequest. The venue's answer for an unknown path (seen in public reports). */
  unknownPath: () => new VenueError(100400, 'this api is not exist'),
  /** 100001 → AuthenticationError. The venue answers 100413 "Incorrect apiKey", unmapped. */
  badKey: (why: string) => new VenueError(100001, why),
  /** 100412 → AuthenticationError. */
  noSignature: () => new VenueError(100412, 'Null signature'),
  /** 100001 → AuthenticationError. */
  badSignature: () => new VenueError(100001, 'Signature verification failed'),
  /** 109400 → ExchangeError: the venue's own answer; no BingX code maps to InvalidNonce. */
  staleTimestamp: () => new VenueError(109400, 'timestamp is invalid'),
  /** 80014 → BadRequest (the venue's "Invalid parameters, err: …"). */
  badParam: (why: string) => new VenueError(80014, `Invalid parameters, err: ${why}`),
  /** 100421 → BadSymbol: a listed contract closed to API trading. */
  closedSymbol: (id: string) =>
    new VenueError(100421, `This pair is currently restricted from API trading: ${id}`),
  /** 110425 → InvalidOrder (the venue's minimum-value code, ccxt's only InvalidOrder code). */
  invalidOrder: (why: string) => new VenueError(110425, why),
  /** 80016 → OrderNotFound. */
  noOrder: () => new VenueError(80016, 'order not exist'),
  /** 101204 → InsufficientFunds. */
  noMargin: (why: string) => new VenueError(101204, `Insufficient margin: ${why}`),
} as const;
