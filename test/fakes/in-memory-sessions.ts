import type { Session } from '../../src/sessions/session';
import { SessionRotation, SessionsRepository } from '../../src/sessions/sessions.repository';

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

  async rotate(session: Session, expectedHash: string, next: SessionRotation): Promise<boolean> {
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
