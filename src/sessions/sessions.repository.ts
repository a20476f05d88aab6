import type { Session } from './session';

export type SessionRotation = Pick<Session, 'refreshHash' | 'usedHashes' | 'lastUsedAt' | 'expiresAt'> & { sealedSuccessor: string };

export abstract class SessionsRepository {
  abstract create(session: Session): Promise<void>;
  /** Undefined when absent or expired. */
  abstract findById(sessionId: string): Promise<Session | undefined>;
  /**
   * Swaps the refresh hash only if it is still `expectedHash`: of two concurrent refreshes with one
   * token exactly one wins. False when it lost or the session is gone.
   */
  abstract rotate(session: Session, expectedHash: string, next: SessionRotation): Promise<boolean>;
  /** False when it was already gone. */
  abstract delete(sessionId: string): Promise<boolean>;
  abstract listByUser(userId: string): Promise<Session[]>;
}
