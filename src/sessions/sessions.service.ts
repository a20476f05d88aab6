import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ReadThroughCache } from '../common/util/expiring-cache';
import { AppConfig } from '../config/app-config';
import { openSuccessor, sealSuccessor } from './refresh-successor';
import type { Session } from './session';
import { SessionsRepository } from './sessions.repository';

const REFRESH_SECRET_BYTES = 32;
/** How many exchanged refresh tokens a session remembers for reuse detection. */
const USED_HASHES_KEPT = 50;
const CACHE_MAX_ENTRIES = 10_000;
const USER_AGENT_MAX_LENGTH = 256;

export interface IssuedSession {
  session: Session;
  /** `<session_id>.<secret>`: shown to the client once, stored only as a hash. */
  refreshToken: string;
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const invalidRefreshToken = (): ApiException => ApiException.unauthorized('Refresh token is invalid or expired');

/**
 * Sessions and their rotating refresh tokens. All state is in DynamoDB, so any number of instances
 * agree; the only per-process state is a short cache of "this session is active" for the JWT guard,
 * which bounds how long another instance may still accept a revoked session's access token.
 */
@Injectable()
export class SessionsService {
  private readonly refreshTtlMs: number;
  private readonly reuseIntervalMs: number;
  /** The owner of each session id, null for a session that is gone. */
  private readonly owners: ReadThroughCache<string, string | null>;

  constructor(
    private readonly sessions: SessionsRepository,
    config: AppConfig,
  ) {
    this.refreshTtlMs = config.jwt.refreshTtlSeconds * 1000;
    this.reuseIntervalMs = config.jwt.refreshReuseIntervalSeconds * 1000;
    this.owners = new ReadThroughCache(
      config.authCacheTtlMs,
      CACHE_MAX_ENTRIES,
      async (sessionId) => (await this.sessions.findById(sessionId))?.userId ?? null,
    );
  }

  async start(userId: string, userAgent: string | undefined): Promise<IssuedSession> {
    const now = new Date();
    const secret = randomBytes(REFRESH_SECRET_BYTES).toString('base64url');
    const session: Session = {
      id: randomUUID(),
      userId,
      refreshHash: hashOf(secret),
      usedHashes: [],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.refreshTtlMs),
      userAgent: userAgent?.slice(0, USER_AGENT_MAX_LENGTH),
    };
    await this.sessions.create(session);
    this.owners.set(session.id, userId);
    return { session, refreshToken: `${session.id}.${secret}` };
  }

  /**
   * Exchanges a refresh token for a new one. Within REFRESH_REUSE_INTERVAL_SECONDS of a refresh, the
   * token it exchanged gets the session's current refresh token again (a lost response, a retry, or
   * simultaneous refreshes, which thereby all succeed alike), and an older used token answers 401.
   * After that interval any used token is reuse: someone holds a copy, and the whole session ends.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const [sessionId, secret, extra] = refreshToken.split('.');
    if (!sessionId || !secret || extra !== undefined) throw invalidRefreshToken();
    const presented = hashOf(secret);
    // A second pass only after losing a race to a concurrent refresh with the same token.
    for (let pass = 0; pass < 2; pass++) {
      const session = await this.sessions.findById(sessionId);
      if (!session) break;
      if (presented === session.refreshHash) {
        const rotated = await this.rotate(session, secret, presented);
        if (rotated) return rotated;
        continue;
      }
      if (!session.usedHashes.includes(presented)) break;
      if (Date.now() - session.lastUsedAt.getTime() >= this.reuseIntervalMs) {
        await this.revokeSession(session.id);
        break;
      }
      if (session.usedHashes[0] === presented && session.sealedSuccessor) {
        const current = openSuccessor(session.sealedSuccessor, secret, session.id);
        if (current !== undefined && hashOf(current) === session.refreshHash) return { session, refreshToken: `${session.id}.${current}` };
      }
      break;
    }
    throw invalidRefreshToken();
  }

  private async rotate(session: Session, secret: string, presented: string): Promise<IssuedSession | undefined> {
    const now = new Date();
    const nextSecret = randomBytes(REFRESH_SECRET_BYTES).toString('base64url');
    const next = {
      refreshHash: hashOf(nextSecret),
      usedHashes: [presented, ...session.usedHashes].slice(0, USED_HASHES_KEPT),
      sealedSuccessor: sealSuccessor(secret, nextSecret, session.id),
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.refreshTtlMs),
    };
    if (!(await this.sessions.rotate(session, presented, next))) return undefined;
    return { session: { ...session, ...next }, refreshToken: `${session.id}.${nextSecret}` };
  }

  /**
   * For the JWT guard: is this session still there, and does it belong to this user? Cached for
   * AUTH_CACHE_TTL_MS, so a cached session costs no DynamoDB call; requests that miss the cache at the
   * same time share one read.
   */
  async isActive(sessionId: string, userId: string): Promise<boolean> {
    return (await this.owners.get(sessionId)) === userId;
  }

  list(userId: string): Promise<Session[]> {
    return this.sessions.listByUser(userId);
  }

  /** Ends the caller's own session; already ended is fine. */
  async end(sessionId: string): Promise<void> {
    await this.revokeSession(sessionId);
  }

  /** Ends one of the user's sessions; 404 for a session that is not theirs (or gone). */
  async revoke(userId: string, sessionId: string): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session || session.userId !== userId || !(await this.revokeSession(sessionId))) {
      throw ApiException.notFound('Session not found');
    }
  }

  /** Ends every session of the user but `keep`; returns how many ended. */
  async revokeAll(userId: string, keep?: string): Promise<number> {
    const sessions = await this.sessions.listByUser(userId);
    const ended = await Promise.all(sessions.filter((session) => session.id !== keep).map((session) => this.revokeSession(session.id)));
    return ended.filter(Boolean).length;
  }

  private async revokeSession(sessionId: string): Promise<boolean> {
    this.owners.set(sessionId, null);
    return this.sessions.delete(sessionId);
  }
}
