import { RateLimitsRepository } from '../../src/rate-limits/rate-limits.repository';

export class InMemoryRateLimitsRepository extends RateLimitsRepository {
  readonly counters = new Map<string, number>();

  async reserve(key: string, limit: number): Promise<number | undefined> {
    const used = this.counters.get(key) ?? 0;
    if (used >= limit) return undefined;
    this.counters.set(key, used + 1);
    return used + 1;
  }

  async release(key: string): Promise<void> {
    const used = this.counters.get(key);
    if (used) this.counters.set(key, used - 1);
  }
}
