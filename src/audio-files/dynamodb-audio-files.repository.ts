import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { AUDIO_FILES_USER_INDEX } from '../database/table-definitions';
import { FIRST_KEY_ID } from '../users/user';
import { activeAccountCheck } from '../users/dynamodb-users.repository';
import { AccountDeletedError } from '../users/users.repository';
import type { AudioFile } from './audio-file';
import { AudioFilePage, AudioFilePosition, AudioFilesRepository, S3KeyAlreadyRegisteredError } from './audio-files.repository';

/** Partition-key prefix of the item that reserves an S3 key for one record (see docs/data-model.md). */
export const S3_KEY_CLAIM_PREFIX = 'S3KEY#';

export interface AudioFileItem {
  file_id: string;
  user_id: string;
  s3_key: string;
  file_size?: number;
  uploaded_at: number;
  uploaded_at_iso: string;
  /** Absent for recordings under the first key (all recordings from before key ids). */
  key_id?: number;
}

export function toAudioFileItem(file: AudioFile): AudioFileItem {
  return {
    file_id: file.id,
    user_id: file.userId,
    s3_key: file.s3Key,
    file_size: file.fileSize ?? undefined,
    uploaded_at: file.uploadedAt.getTime(),
    uploaded_at_iso: file.uploadedAt.toISOString(),
    key_id: file.keyId === FIRST_KEY_ID ? undefined : file.keyId,
  };
}

function fromAudioFileItem(item: Record<string, unknown> | undefined): AudioFile | undefined {
  if (!item || typeof item.user_id !== 'string' || typeof item.s3_key !== 'string') return undefined;
  return {
    id: item.file_id as string,
    userId: item.user_id,
    s3Key: item.s3_key,
    fileSize: typeof item.file_size === 'number' ? item.file_size : null,
    uploadedAt: new Date(Number(item.uploaded_at)),
    keyId: typeof item.key_id === 'number' ? item.key_id : FIRST_KEY_ID,
  };
}

export function s3KeyClaimKey(s3Key: string): string {
  return `${S3_KEY_CLAIM_PREFIX}${s3Key}`;
}

@Injectable()
export class DynamoDbAudioFilesRepository extends DynamoDbRepository implements AudioFilesRepository {
  private readonly tableName: string;
  private readonly usersTableName: string;

  constructor(documents: DynamoDBDocumentClient, config: AppConfig) {
    super(documents);
    this.tableName = config.dynamodb.tables.audioFiles;
    this.usersTableName = config.dynamodb.tables.users;
  }

  /**
   * The record and its S3-key claim are written together, so two records never share an object, and
   * only while the owner's account is not being deleted.
   */
  async create(file: AudioFile): Promise<void> {
    const claim = { file_id: s3KeyClaimKey(file.s3Key), claimed_by: file.id, owner_user_id: file.userId };
    const failed = await this.transactWrite([
      { Put: { TableName: this.tableName, Item: toAudioFileItem(file), ConditionExpression: 'attribute_not_exists(file_id)' } },
      { Put: { TableName: this.tableName, Item: claim, ConditionExpression: 'attribute_not_exists(file_id)' } },
      activeAccountCheck(this.usersTableName, file.userId),
    ]);
    if (failed.includes(2)) throw new AccountDeletedError();
    if (failed.includes(1)) throw new S3KeyAlreadyRegisteredError();
    if (failed.length > 0) throw new Error(`Audio file ${file.id} already exists`);
  }

  async delete(file: AudioFile): Promise<boolean> {
    const failed = await this.transactWrite([
      {
        Delete: {
          TableName: this.tableName,
          Key: { file_id: file.id },
          ConditionExpression: 'attribute_exists(file_id)',
        },
      },
      { Delete: { TableName: this.tableName, Key: { file_id: s3KeyClaimKey(file.s3Key) } } },
    ]);
    return failed.length === 0;
  }

  async findById(fileId: string): Promise<AudioFile | undefined> {
    const { Item } = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { file_id: fileId }, ConsistentRead: true })),
    );
    return fromAudioFileItem(Item);
  }

  /** Exact and O(1): the claim item names the record (the design's `Scan` with `Limit=1` missed most files). */
  async findByS3Key(s3Key: string): Promise<AudioFile | undefined> {
    const { Item } = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { file_id: s3KeyClaimKey(s3Key) }, ConsistentRead: true })),
    );
    return typeof Item?.claimed_by === 'string' ? this.findById(Item.claimed_by) : undefined;
  }

  /** One Query of `user-files-index`; asks for one extra item to know whether another page exists. */
  async listByUser(userId: string, limit: number, after?: AudioFilePosition): Promise<AudioFilePage> {
    const { Items = [] } = await this.call(() =>
      this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: AUDIO_FILES_USER_INDEX,
          KeyConditionExpression: 'user_id = :user_id',
          ExpressionAttributeValues: { ':user_id': userId },
          ScanIndexForward: false,
          Limit: limit + 1,
          ExclusiveStartKey: after ? { user_id: userId, uploaded_at: after.uploadedAt, file_id: after.fileId } : undefined,
        }),
      ),
    );
    const files = Items.slice(0, limit)
      .map(fromAudioFileItem)
      .filter((file): file is AudioFile => file !== undefined);
    const last = files[files.length - 1];
    const next = Items.length > limit && last ? { uploadedAt: last.uploadedAt.getTime(), fileId: last.id } : undefined;
    return { files, next };
  }
}
