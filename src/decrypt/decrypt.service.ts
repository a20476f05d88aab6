import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import type { AudioFile } from '../audio-files/audio-file';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { contentTypeOfKey, recordingAad } from '../audio-files/recording-keys';
import { UserKeysService } from '../user-keys/user-keys.service';
import type { ClientContext } from '../common/http/client-context';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { AES256_GCM_HKDF_1MB, DecryptingStream, DecryptionError, plaintextSize } from '../crypto/streaming-aead';
import { ObjectStorage, StoredObject } from '../storage/object-storage';
import { decryptedFilePrefix } from '../storage/object-keys';
import type { DecryptJob } from './decrypt-job';
import { DecryptSlots } from './decrypt-slots';
import { DecryptJobsRepository } from './decrypt-jobs.repository';
import type { DecryptAudioDto } from './dto/decrypt-audio.dto';

interface DecryptedStream {
  contentType: string;
  length: number;
  body: Readable;
}

/** A decrypted copy of `file`, and a presigned download of it that works until `downloadExpiresAt`. */
export interface DecryptedCopy {
  jobId: string;
  file: AudioFile;
  downloadUrl: string;
  downloadExpiresAt: Date;
}

interface Unlocked {
  userKey: Buffer;
  file: AudioFile;
}

const decryptionFailed = (): ApiException =>
  new ApiException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    ErrorCode.DECRYPTION_FAILED,
    'The recording could not be decrypted: it is damaged, truncated, or was not encrypted for this user and file',
  );

@Injectable()
export class DecryptService {
  private readonly downloadUrlTtlSeconds: number;
  private readonly copyTtlMs: number;

  constructor(
    private readonly userKeys: UserKeysService,
    private readonly audioFiles: AudioFilesService,
    private readonly storage: ObjectStorage,
    private readonly jobs: DecryptJobsRepository,
    private readonly slots: DecryptSlots,
    config: AppConfig,
  ) {
    this.downloadUrlTtlSeconds = config.storage.downloadUrlTtlSeconds;
    this.copyTtlMs = config.storage.decryptedCopyTtlHours * 3600 * 1000;
  }

  /**
   * Decrypts a recording into a short-lived copy under `decrypted/<user_id>/` (server-side
   * encrypted) and answers with a presigned download URL. A copy is kept only if every segment
   * authenticated; otherwise nothing is left and the answer is 422.
   */
  async decryptToCopy(userId: string, request: DecryptAudioDto, client: ClientContext): Promise<DecryptedCopy> {
    const release = this.slots.acquire(userId);
    try {
      return await this.decryptToNewCopy(userId, request, client);
    } finally {
      release();
    }
  }

  private async decryptToNewCopy(userId: string, request: DecryptAudioDto, client: ClientContext): Promise<DecryptedCopy> {
    const { userKey, file } = await this.unlock(userId, request, client);
    const source = await this.readRecording(file);
    const jobId = randomUUID();
    const createdAt = new Date();
    const outputKey = `${decryptedFilePrefix(userId, file.id)}${jobId}${file.s3Key.slice(file.s3Key.lastIndexOf('.'))}`;
    const job: DecryptJob = {
      id: jobId,
      userId,
      fileId: file.id,
      createdAt,
      status: 'completed',
      outputKey,
      expiresAt: new Date(createdAt.getTime() + this.copyTtlMs),
    };

    let decryptionError: DecryptionError | undefined;
    const decryptor = new DecryptingStream(AES256_GCM_HKDF_1MB, userKey, recordingAad(userId, file.id));
    const plaintext = pipeline(source.body, decryptor, (error) => {
      if (error instanceof DecryptionError) decryptionError = error;
    });
    try {
      await this.storage.write(outputKey, plaintext, { contentType: contentTypeOfKey(file.s3Key) });
    } catch (error) {
      await this.jobs.save({ ...job, status: 'failed', outputKey: undefined });
      if (decryptionError || error instanceof DecryptionError) throw decryptionFailed();
      throw error;
    }
    await this.jobs.save(job);
    return {
      jobId,
      file,
      downloadUrl: await this.storage.presignDownload(outputKey, this.downloadUrlTtlSeconds),
      downloadExpiresAt: new Date(Date.now() + this.downloadUrlTtlSeconds * 1000),
    };
  }

  /**
   * The plaintext as a stream, stored nowhere. The first segment is authenticated before anything is
   * sent, so a wrong key or a damaged start is a clean 422; a later failure errors the stream, and
   * the HTTP layer then aborts the connection instead of ending a partial file cleanly.
   */
  async decryptToStream(userId: string, request: DecryptAudioDto, client: ClientContext): Promise<DecryptedStream> {
    const release = this.slots.acquire(userId);
    try {
      return await this.decryptToReleasingStream(userId, request, client, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The slot is given back when the body closes: read to the end, failed, or abandoned by the client. */
  private async decryptToReleasingStream(
    userId: string,
    request: DecryptAudioDto,
    client: ClientContext,
    release: () => void,
  ): Promise<DecryptedStream> {
    const { userKey, file } = await this.unlock(userId, request, client);
    const source = await this.readRecording(file);
    let length: number;
    try {
      length = plaintextSize(AES256_GCM_HKDF_1MB, source.size);
    } catch {
      source.body.destroy();
      throw decryptionFailed();
    }
    const decryptor = pipeline(source.body, new DecryptingStream(AES256_GCM_HKDF_1MB, userKey, recordingAad(userId, file.id)), () => undefined);
    const segments = decryptor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let first: IteratorResult<Buffer>;
    try {
      first = await segments.next();
    } catch (error) {
      if (error instanceof DecryptionError) throw decryptionFailed();
      throw error;
    }
    async function* rest(): AsyncGenerator<Buffer> {
      if (first.done) return;
      yield first.value;
      for (let next = await segments.next(); !next.done; next = await segments.next()) yield next.value;
    }
    const body = Readable.from(rest());
    body.once('close', () => {
      // An abandoned response stops the S3 read too, instead of leaving it paused with its buffers.
      decryptor.destroy();
      release();
    });
    return { contentType: contentTypeOfKey(file.s3Key), length, body };
  }

  /**
   * Password first (401 or 429 from the password gate, before any storage read; 410 while the account
   * is being deleted), then the caller's own file (404), then its key (423 while only an earlier
   * recovery code opens it).
   */
  private async unlock(userId: string, { password, file_id, s3_key }: DecryptAudioDto, client: ClientContext): Promise<Unlocked> {
    const keys = await this.userKeys.open({ action: 'decrypt', account: userId, client }, password);
    const file = file_id ? await this.audioFiles.getOwned(userId, file_id) : await this.audioFiles.getOwnedByS3Key(userId, s3_key as string);
    const userKey = keys.get(file.keyId);
    if (!userKey) {
      throw new ApiException(
        HttpStatus.LOCKED,
        ErrorCode.RECORDING_LOCKED,
        'The recording is under a key that a password reset without the recovery code locked; enter the recovery code (POST /api/user/recovery-code/redeem) to unlock it',
      );
    }
    return { userKey, file };
  }

  private async readRecording(file: AudioFile): Promise<StoredObject> {
    const source = await this.storage.read(file.s3Key);
    if (!source) {
      throw ApiException.notFound('The encrypted recording is missing from storage', ErrorCode.OBJECT_NOT_FOUND);
    }
    return source;
  }

  /** Forgets every decryption job of the user (their copies go with the user's storage prefix). */
  forgetUser(userId: string): Promise<number> {
    return this.jobs.deleteAllForUser(userId);
  }

  /** The caller's own job, with a fresh download URL while its copy lives. */
  async getJob(userId: string, jobId: string): Promise<{ job: DecryptJob; downloadUrl?: string }> {
    const job = await this.jobs.findById(jobId);
    if (!job || job.userId !== userId) throw ApiException.notFound('Decryption job not found');
    // Deleting a file deletes its decrypted copies: its jobs go with it.
    await this.audioFiles.getOwned(userId, job.fileId).catch((error: unknown) => {
      if (error instanceof ApiException && error.getStatus() === 404) throw ApiException.notFound('Decryption job not found');
      throw error;
    });
    const downloadUrl =
      job.status === 'completed' && job.outputKey ? await this.storage.presignDownload(job.outputKey, this.downloadUrlTtlSeconds) : undefined;
    return { job, downloadUrl };
  }
}
