import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { CursorCodec } from '../common/pagination/cursor-codec';
import { AppConfig } from '../config/app-config';
import { AudioFile } from './audio-file';
import { AudioFilePosition, AudioFilesRepository, S3KeyAlreadyRegisteredError } from './audio-files.repository';
import { RateLimiter, RateLimitPolicy } from '../rate-limits/rate-limiter.service';
import type { ClientContext } from '../common/http/client-context';
import { ObjectStorage, ObjectSummary } from '../storage/object-storage';
import {
  declaredSizeOf,
  decryptedFilePrefix,
  pendingUploadKey,
  pendingUploadPrefix,
  userDecryptedPrefix,
  userRecordingsPrefix,
  userUploadsPrefix,
} from '../storage/object-keys';
import { AccountDeletedError } from '../users/users.repository';
import { accountDeleted, UsersService } from '../users/users.service';
import type { CreateAudioFileDto, UploadUrlRequestDto } from './dto/audio-file.dto';
import { parseRecordingKey, recordingKey } from './recording-keys';
import { FIRST_KEY_ID } from '../users/user';

export interface UploadSlot {
  fileId: string;
  s3Key: string;
  url: string;
  expiresAt: Date;
}

interface AudioFileListing {
  files: AudioFile[];
  nextCursor: string | null;
}

interface ListingCursor {
  u: string;
  t: number;
  f: string;
}

const s3KeyTaken = (): ApiException => ApiException.conflict('An audio file with this s3_key is already registered', ErrorCode.S3_KEY_TAKEN);

function isListingCursor(value: unknown): value is ListingCursor {
  const cursor = value as ListingCursor;
  return (
    typeof cursor === 'object' && cursor !== null && typeof cursor.u === 'string' && Number.isSafeInteger(cursor.t) && typeof cursor.f === 'string'
  );
}

@Injectable()
export class AudioFilesService {
  private readonly cursors: CursorCodec;
  private readonly uploadUrlTtlSeconds: number;
  private readonly maxRecordingBytes: number;
  private readonly uploadPolicies: { perAddress: RateLimitPolicy; perAccount: RateLimitPolicy };

  constructor(
    private readonly audioFiles: AudioFilesRepository,
    private readonly storage: ObjectStorage,
    private readonly limiter: RateLimiter,
    private readonly users: UsersService,
    config: AppConfig,
  ) {
    this.cursors = new CursorCodec(config.jwt.secret, 'audio-files');
    this.uploadUrlTtlSeconds = config.storage.uploadUrlTtlSeconds;
    this.maxRecordingBytes = config.storage.maxRecordingBytes;
    this.uploadPolicies = {
      perAddress: { name: 'uploads-ip', quota: config.rateLimits.uploadUrlsPerIpPerHour, windowSeconds: 3600 },
      perAccount: { name: 'uploads-account', quota: config.rateLimits.uploadUrlsPerAccountPerHour, windowSeconds: 3600 },
    };
  }

  /**
   * A new file id and a presigned PUT of exactly `file_size` bytes to the file's pending-upload key;
   * registration moves the object to `s3Key`. Rate limited per client address, then per account;
   * none for an account being deleted (410).
   */
  async uploadSlot(userId: string, { content_type, file_size }: UploadUrlRequestDto, client: ClientContext): Promise<UploadSlot> {
    await this.users.activeAccount(userId);
    if (file_size > this.maxRecordingBytes) throw this.tooLarge(file_size);
    await this.limiter.take('upload-url', this.uploadPolicies.perAddress, client.ip, client);
    await this.limiter.take('upload-url', this.uploadPolicies.perAccount, userId, client);
    const fileId = randomUUID();
    const s3Key = recordingKey(userId, fileId, content_type);
    const expiresAt = new Date(Date.now() + this.uploadUrlTtlSeconds * 1000);
    const url = await this.storage.presignUpload(pendingUploadKey(userId, fileId, file_size), this.uploadUrlTtlSeconds, file_size);
    return { fileId, s3Key, url, expiresAt };
  }

  /**
   * Records an uploaded object. `s3_key` must be under the caller's prefix (403) and have the form
   * upload-url issues (400); its upload must exist (404), have the declared size (422, deleted) and
   * fit MAX_RECORDING_BYTES (413, deleted). The upload is then copied to `s3_key`, which no URL can
   * write, so the recording and its recorded size never change afterwards.
   * @throws ApiException 409 S3_KEY_TAKEN when a record already points at that object, 410
   * ACCOUNT_DELETED when the account is being deleted (the object is swept with the account).
   */
  async create(userId: string, { s3_key, file_id }: CreateAudioFileDto): Promise<AudioFile> {
    if (!s3_key.startsWith(userRecordingsPrefix(userId))) {
      throw ApiException.forbidden(`s3_key must be under ${userRecordingsPrefix(userId)}`);
    }
    const issued = parseRecordingKey(s3_key);
    if (!issued) throw ApiException.badRequest('s3_key must be a key issued by POST /api/audio-files/upload-url');
    if (file_id !== undefined && file_id !== issued.fileId) {
      throw ApiException.badRequest('file_id does not match the file id in s3_key');
    }
    const [uploads, registered, user] = await Promise.all([
      this.storage.list(pendingUploadPrefix(userId, issued.fileId), 1),
      this.audioFiles.findByS3Key(s3_key),
      this.users.findById(userId),
    ]);
    const upload = uploads[0];
    if (registered) {
      // Whatever an old upload URL wrote after registration is discarded.
      if (upload) await this.storage.delete(upload.key);
      throw s3KeyTaken();
    }
    if (!upload) throw ApiException.notFound('No object has been uploaded at s3_key yet', ErrorCode.OBJECT_NOT_FOUND);
    await this.assertDeclaredSize(upload);
    if (!(await this.storage.copy(upload.key, s3_key, upload.etag))) {
      // A concurrent registration of the same upload won (and removed it), or the upload was replaced meanwhile.
      if (await this.audioFiles.findByS3Key(s3_key)) throw s3KeyTaken();
      // Or the account's deletion swept the upload: 410, as for every other write of an account being deleted.
      await this.users.activeAccount(userId);
      throw ApiException.conflict('The upload changed while it was being registered; register it again');
    }
    // Recorded under the key new recordings are encrypted with now (see docs/encryption-format.md).
    const keyId = user?.keyId ?? FIRST_KEY_ID;
    const file: AudioFile = { id: issued.fileId, userId, s3Key: s3_key, fileSize: upload.size, uploadedAt: new Date(), keyId };
    try {
      await this.audioFiles.create(file);
    } catch (error) {
      if (error instanceof S3KeyAlreadyRegisteredError) throw s3KeyTaken();
      if (error instanceof AccountDeletedError) throw accountDeleted();
      throw error;
    }
    // A leftover would only expire through the lifecycle rule; the recording is already in place.
    await this.storage.delete(upload.key).catch(() => undefined);
    return file;
  }

  /** Newest first. A cursor is bound to the user it was issued to. */
  async list(userId: string, limit: number, cursor?: string): Promise<AudioFileListing> {
    const after = cursor === undefined ? undefined : this.positionFrom(userId, cursor);
    const page = await this.audioFiles.listByUser(userId, limit, after);
    const nextCursor = page.next ? this.cursors.encode({ u: userId, t: page.next.uploadedAt, f: page.next.fileId } satisfies ListingCursor) : null;
    return { files: page.files, nextCursor };
  }

  /** @see UsersService.openKeyIds */
  openKeyIds(userId: string): Promise<ReadonlySet<number>> {
    return this.users.openKeyIds(userId);
  }

  /** 404 alike for a missing file and for someone else's: ids of other users' files are not confirmed. */
  async getOwned(userId: string, fileId: string): Promise<AudioFile> {
    return this.owned(userId, await this.audioFiles.findById(fileId));
  }

  async getOwnedByS3Key(userId: string, s3Key: string): Promise<AudioFile> {
    return this.owned(userId, await this.audioFiles.findByS3Key(s3Key));
  }

  /**
   * Deletes the recording, its decrypted copies, then the record, in that order: a deletion that
   * fails half-way leaves the record, so repeating the call finishes it.
   */
  async delete(userId: string, fileId: string): Promise<void> {
    const file = await this.getOwned(userId, fileId);
    await this.storage.delete(file.s3Key);
    await this.storage.deletePrefix(decryptedFilePrefix(userId, fileId));
    if (!(await this.audioFiles.delete(file))) throw ApiException.notFound('Audio file not found');
  }

  /**
   * Everything of the user's audio: every object under their prefixes, then every record (and the
   * object of a migrated record whose key lies elsewhere). Safe to repeat after a failure half-way.
   * Returns how many records were deleted.
   */
  async deleteAllOf(userId: string): Promise<number> {
    await this.storage.deletePrefix(userUploadsPrefix(userId));
    const recordings = userRecordingsPrefix(userId);
    await this.storage.deletePrefix(recordings);
    await this.storage.deletePrefix(userDecryptedPrefix(userId));
    let deleted = 0;
    for (let page = await this.audioFiles.listByUser(userId, 100); ; page = await this.audioFiles.listByUser(userId, 100)) {
      for (const file of page.files) {
        if (!file.s3Key.startsWith(recordings)) await this.storage.delete(file.s3Key);
        if (await this.audioFiles.delete(file)) deleted++;
      }
      if (!page.next || page.files.length === 0) return deleted;
    }
  }

  /** Deletes an upload that is too large or not the declared size, so it cannot be registered later. */
  private async assertDeclaredSize(upload: ObjectSummary): Promise<void> {
    const declared = declaredSizeOf(upload.key);
    if (upload.size > this.maxRecordingBytes) {
      await this.storage.delete(upload.key);
      throw this.tooLarge(upload.size);
    }
    if (upload.size !== declared) {
      await this.storage.delete(upload.key);
      throw new ApiException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ErrorCode.UPLOAD_SIZE_MISMATCH,
        `The upload has ${upload.size} bytes, not the ${declared} declared for its URL; upload again with a new URL`,
      );
    }
  }

  private tooLarge(bytes: number): ApiException {
    return new ApiException(
      HttpStatus.PAYLOAD_TOO_LARGE,
      ErrorCode.RECORDING_TOO_LARGE,
      `A recording may have at most ${this.maxRecordingBytes} bytes; this one has ${bytes}`,
    );
  }

  private owned(userId: string, file: AudioFile | undefined): AudioFile {
    if (!file || file.userId !== userId) throw ApiException.notFound('Audio file not found');
    return file;
  }

  private positionFrom(userId: string, cursor: string): AudioFilePosition {
    const decoded = this.cursors.decode(cursor);
    if (!isListingCursor(decoded) || decoded.u !== userId) {
      throw ApiException.badRequest('cursor is not valid for this listing', ErrorCode.INVALID_CURSOR);
    }
    return { uploadedAt: decoded.t, fileId: decoded.f };
  }
}
