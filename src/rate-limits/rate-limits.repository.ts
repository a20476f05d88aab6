/** Counters in fixed time windows, shared by every instance of the service. */
export abstract class RateLimitsRepository {
  /**
   * Adds one to the counter `key` (which lives until `expiresAt`) only while it is below `limit`, in
   * one conditional write: concurrent callers on any instance never take more than `limit` units.
   * Returns the new count, or undefined when the limit was already reached.
   */
  abstract reserve(key: string, limit: number, expiresAt: Date): Promise<number | undefined>;
  /** Gives one reserved unit back; a counter already gone (expired) stays gone. */
  abstract release(key: string): Promise<void>;
}
