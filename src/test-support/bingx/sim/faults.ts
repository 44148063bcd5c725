// Fault switches a test sets on the simulator. Each counts down: n > 0 means the next n
// matching requests or orders get the fault, then the simulator behaves again. The stream
// faults (a dropped socket, an expired listenKey) act at once: BingxSim.dropStreams() and
// BingxSim.expireListenKeys().
export class Faults {
  /** The next n REST requests answer HTTP 429 with `Retry-After` (ccxt: DDoSProtection). */
  rateLimit = 0;
  retryAfterSeconds = 1;
  /** The next n REST requests answer this 5xx with a gateway's HTML page (ExchangeNotAvailable). */
  serverError = 0;
  serverErrorStatus = 503;
  /**
   * The next n order placements are accepted and filled, then answered only after
   * `slowAcceptMs` — past the client's timeout, so it raises RequestTimeout not knowing.
   */
  slowAccept = 0;
  slowAcceptMs = 2_000;
  /** The next n market orders fill in two fills: half the steps (rounded down), then the rest. */
  partialFill = 0;
  /** The next n margin-taking orders are refused for insufficient margin (InsufficientFunds). */
  insufficientMargin = 0;

  /** Takes one of a counted fault if any is left. */
  take(name: 'rateLimit' | 'serverError' | 'slowAccept' | 'partialFill' | 'insufficientMargin') {
    if (this[name] <= 0) return false;
    this[name]--;
    return true;
  }
}
