import { Injectable } from '@nestjs/common';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { SESSIONS_USER_INDEX } from '../database/table-definitions';
import type { Session } from './session';
import { SessionRotation, SessionsRepository } from './sessions.repository';

interface SessionItem {
  session_id: string;
  user_id: string;
  refresh_hash: string;
  used_hashes: string[];
  sealed_successor?: string;
  created_at: number;
  last_used_at: number;
  /** Epoch seconds: DynamoDB's TTL attribute. */
  expires_at: number;
  user_agent?: string;
}

const toSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

function toItem(session: Session): SessionItem {
  return {
    session_id: session.id,
    user_id: session.userId,
    refresh_hash: session.refreshHash,
    used_hashes: session.usedHashes,
    sealed_successor: session.sealedSuccessor,
    created_at: session.createdAt.getTime(),
    last_used_at: session.lastUsedAt.getTime(),
    expires_at: toSeconds(session.expiresAt),
    user_agent: session.userAgent,
  };
}

function fromItem(item: Record<string, unknown> | undefined): Session | undefined {
  if (!item) return undefined;
  const session: Session = {
    id: item.session_id as string,
    userId: item.user_id as string,
    refreshHash: item.refresh_hash as string,
    usedHashes: (item.used_hashes as string[] | undefined) ?? [],
    sealedSuccessor: item.sealed_successor as string | undefined,
    createdAt: new Date(Number(item.created_at)),
    lastUsedAt: new Date(Number(item.last_used_at)),
    expiresAt: new Date(Number(item.expires_at) * 1000),
    userAgent: item.user_agent as string | undefined,
  };
  // DynamoDB's TTL deletes expired items only eventually.
  return session.expiresAt.getTime() > Date.now() ? session : undefined;
}

@Injectable()
export class DynamoDbSessionsRepository extends DynamoDbRepository implements SessionsRepository {
  protected readonly table = 'sessions';

  async create(session: Session): Promise<void> {
    await this.putItem({ Item: toItem(session), ConditionExpression: 'attribute_not_exists(session_id)' });
  }

  async findById(sessionId: string): Promise<Session | undefined> {
    return fromItem(await this.getItem({ session_id: sessionId }));
  }

  async rotate(session: Session, expectedHash: string, next: SessionRotation): Promise<boolean> {
    return this.updateIf({
      Key: { session_id: session.id },
      UpdateExpression: 'SET refresh_hash = :next, used_hashes = :used, sealed_successor = :sealed, last_used_at = :now, expires_at = :expires',
      ConditionExpression: 'refresh_hash = :expected',
      ExpressionAttributeValues: {
        ':next': next.refreshHash,
        ':used': next.usedHashes,
        ':sealed': next.sealedSuccessor,
        ':now': next.lastUsedAt.getTime(),
        ':expires': toSeconds(next.expiresAt),
        ':expected': expectedHash,
      },
    });
  }

  async delete(sessionId: string): Promise<boolean> {
    const { Attributes } = await this.deleteItem({ Key: { session_id: sessionId }, ReturnValues: 'ALL_OLD' });
    return Attributes !== undefined;
  }

  async listByUser(userId: string): Promise<Session[]> {
    const items = await this.queryAll({
      IndexName: SESSIONS_USER_INDEX,
      KeyConditionExpression: 'user_id = :user_id',
      ExpressionAttributeValues: { ':user_id': userId },
      ScanIndexForward: false,
    });
    return items.map(fromItem).filter((session): session is Session => session !== undefined);
  }
}
