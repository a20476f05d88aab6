import type { AudioFile } from './audio-file';

export class S3KeyAlreadyRegisteredError extends Error {
  constructor() {
    super('S3 key already registered');
    this.name = 'S3KeyAlreadyRegisteredError';
  }
}

/** Where a page of a user's files ends: the newest-first listing resumes after this file. */
export interface AudioFilePosition {
  uploadedAt: number;
  fileId: string;
}

export interface AudioFilePage {
  files: AudioFile[];
  /** Absent on the last page. */
  next?: AudioFilePosition;
}

/** Storage of audio file records. An S3 key belongs to at most one record. */
export abstract class AudioFilesRepository {
  /**
   * @throws AccountDeletedError when the owner's account is gone or being deleted
   * @throws S3KeyAlreadyRegisteredError
   */
  abstract create(file: AudioFile): Promise<void>;
  abstract findById(fileId: string): Promise<AudioFile | undefined>;
  abstract findByS3Key(s3Key: string): Promise<AudioFile | undefined>;
  /** Removes the record and its S3-key claim; false when it was already gone. */
  abstract delete(file: AudioFile): Promise<boolean>;
  /** Newest first. */
  abstract listByUser(userId: string, limit: number, after?: AudioFilePosition): Promise<AudioFilePage>;
}
