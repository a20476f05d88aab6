import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { CursorCodec } from '../common/pagination/cursor-codec';
import { AppConfig } from '../config/app-config';
import { AudioFile } from './audio-file';
import { AudioFilePosition, AudioFilesRepository, S3KeyAlreadyRegisteredError } from './audio-files.repository';
import type { CreateAudioFileDto } from './dto/audio-file.dto';

export interface AudioFileListing {
  files: AudioFile[];
  nextCursor: string | null;
}

interface ListingCursor {
  u: string;
  t: number;
  f: string;
}

function isListingCursor(value: unknown): value is ListingCursor {
  const cursor = value as ListingCursor;
  return (
    typeof cursor === 'object' &&
    cursor !== null &&
    typeof cursor.u === 'string' &&
    Number.isSafeInteger(cursor.t) &&
    typeof cursor.f === 'string'
  );
}

@Injectable()
export class AudioFilesService {
  private readonly cursors: CursorCodec;

  constructor(
    private readonly audioFiles: AudioFilesRepository,
    config: AppConfig,
  ) {
    this.cursors = new CursorCodec(config.jwt.secret, 'audio-files');
  }

  /** @throws ApiException 409 S3_KEY_TAKEN when a record already points at that object. */
  async create(userId: string, { s3_key, file_size }: CreateAudioFileDto): Promise<AudioFile> {
    const file: AudioFile = { id: randomUUID(), userId, s3Key: s3_key, fileSize: file_size ?? null, uploadedAt: new Date() };
    try {
      await this.audioFiles.create(file);
    } catch (error) {
      if (error instanceof S3KeyAlreadyRegisteredError) {
        throw new ApiException(HttpStatus.CONFLICT, ErrorCode.S3_KEY_TAKEN, 'An audio file with this s3_key is already registered');
      }
      throw error;
    }
    return file;
  }

  /** Newest first. A cursor is bound to the user it was issued to. */
  async list(userId: string, limit: number, cursor?: string): Promise<AudioFileListing> {
    const after = cursor === undefined ? undefined : this.positionFrom(userId, cursor);
    const page = await this.audioFiles.listByUser(userId, limit, after);
    const nextCursor = page.next
      ? this.cursors.encode({ u: userId, t: page.next.uploadedAt, f: page.next.fileId } satisfies ListingCursor)
      : null;
    return { files: page.files, nextCursor };
  }

  /** 404 alike for a missing file and for someone else's: ids of other users' files are not confirmed. */
  async getOwned(userId: string, fileId: string): Promise<AudioFile> {
    return this.owned(userId, await this.audioFiles.findById(fileId));
  }

  async getOwnedByS3Key(userId: string, s3Key: string): Promise<AudioFile> {
    return this.owned(userId, await this.audioFiles.findByS3Key(s3Key));
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
