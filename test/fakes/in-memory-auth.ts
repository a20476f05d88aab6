import { RateLimitsRepository } from '../../src/auth/rate-limits/rate-limits.repository';
import type { Session } from '../../src/auth/sessions/session';
import { SessionsRepository } from '../../src/auth/sessions/sessions.repository';

/** A SessionsRepository in a Map, for service tests; the DynamoDB one is tested against DynamoDB Local. */
export class InMemorySessionsRepository extends SessionsRepository {
  readonly sessions = new Map<string, Session>();

  async create(session: Session): Promise<void> {
    this.sessions.set(session.id, { ...session });
  }

  async findById(sessionId: string): Promise<Session | undefined> {
    const session = this.sessions.get(sessionId);
    return session && session.expiresAt.getTime() > Date.now() ? { ...session } : undefined;
  }

  async rotate(session: Session, expectedHash: string, next: Pick<Session, 'refreshHash' | 'usedHashes' | 'lastUsedAt' | 'expiresAt'>): Promise<boolean> {
    const stored = this.sessions.get(session.id);
    if (!stored || stored.refreshHash !== expectedHash) return false;
    Object.assign(stored, next);
    return true;
  }

  async delete(sessionId: string): Promise<boolean> {
    return this.sessions.delete(sessionId);
  }

  async listByUser(userId: string): Promise<Session[]> {
    return [...this.sessions.values()].filter((session) => session.userId === userId);
  }
}

export class InMemoryRateLimitsRepository extends RateLimitsRepository {
  readonly counters = new Map<string, number>();

  async increment(key: string): Promise<number> {
    const next = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, next);
    return next;
  }

  async count(key: string): Promise<number> {
    return this.counters.get(key) ?? 0;
  }

  async reset(key: string): Promise<void> {
    this.counters.delete(key);
  }
}
