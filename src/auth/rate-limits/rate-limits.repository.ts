/** Counters in fixed time windows, shared by every instance of the service. */
export abstract class RateLimitsRepository {
  /** Adds one to the counter `key` (which lives until `expiresAt`) and returns its new value. */
  abstract increment(key: string, expiresAt: Date): Promise<number>;
  /** The counter's value, 0 when absent. */
  abstract count(key: string): Promise<number>;
  abstract reset(key: string): Promise<void>;
}
