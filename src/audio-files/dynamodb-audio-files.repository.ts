import { Injectable } from '@nestjs/common';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { AUDIO_FILES_USER_INDEX } from '../database/table-definitions';
import { activeAccountCheck } from '../users/dynamodb-users.repository';
import { AccountDeletedError } from '../users/users.repository';
import type { AudioFile } from './audio-file';
import { fromAudioFileItem, s3KeyClaimKey, toAudioFileItem, toS3KeyClaimItem } from './audio-file.item';
import { AudioFilePage, AudioFilePosition, AudioFilesRepository, S3KeyAlreadyRegisteredError } from './audio-files.repository';

@Injectable()
export class DynamoDbAudioFilesRepository extends DynamoDbRepository implements AudioFilesRepository {
  protected readonly table = 'audioFiles';

  /**
   * The record and its S3-key claim are written together, so two records never share an object, and
   * only while the owner's account is not being deleted.
   */
  async create(file: AudioFile): Promise<void> {
    const claim = toS3KeyClaimItem(file);
    const failed = await this.transactWrite([
      { Put: { TableName: this.tableName, Item: toAudioFileItem(file), ConditionExpression: 'attribute_not_exists(file_id)' } },
      { Put: { TableName: this.tableName, Item: claim, ConditionExpression: 'attribute_not_exists(file_id)' } },
      activeAccountCheck(this.config.dynamodb.tables.users, file.userId),
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
    return fromAudioFileItem(await this.getItem({ file_id: fileId }));
  }

  /** Exact and O(1): the claim item names the record (the design's `Scan` with `Limit=1` missed most files). */
  async findByS3Key(s3Key: string): Promise<AudioFile | undefined> {
    const owner = (await this.getItem({ file_id: s3KeyClaimKey(s3Key) }))?.claimed_by;
    return typeof owner === 'string' ? this.findById(owner) : undefined;
  }

  /** One Query of `user-files-index`; asks for one extra item to know whether another page exists. */
  async listByUser(userId: string, limit: number, after?: AudioFilePosition): Promise<AudioFilePage> {
    const { Items = [] } = await this.query({
      IndexName: AUDIO_FILES_USER_INDEX,
      KeyConditionExpression: 'user_id = :user_id',
      ExpressionAttributeValues: { ':user_id': userId },
      ScanIndexForward: false,
      Limit: limit + 1,
      ExclusiveStartKey: after ? { user_id: userId, uploaded_at: after.uploadedAt, file_id: after.fileId } : undefined,
    });
    const files = Items.slice(0, limit)
      .map(fromAudioFileItem)
      .filter((file): file is AudioFile => file !== undefined);
    const last = files[files.length - 1];
    const next = Items.length > limit && last ? { uploadedAt: last.uploadedAt.getTime(), fileId: last.id } : undefined;
    return { files, next };
  }
}
