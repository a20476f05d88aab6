import type { AudioFile } from '../../src/audio-files/audio-file';
import { AudioFilePage, AudioFilePosition, AudioFilesRepository, S3KeyAlreadyRegisteredError } from '../../src/audio-files/audio-files.repository';
import { AccountDeletedError } from '../../src/users/users.repository';
import type { InMemoryUsersRepository } from './in-memory-users.repository';

/** An AudioFilesRepository in a Map, for service tests. */
export class InMemoryAudioFilesRepository extends AudioFilesRepository {
  readonly files = new Map<string, AudioFile>();

  /** Registrations need the owner's account to exist in `users` and not be being deleted. */
  constructor(private readonly users: InMemoryUsersRepository) {
    super();
  }

  async create(file: AudioFile): Promise<void> {
    const owner = this.users.users.get(file.userId);
    if (!owner || owner.deletingAt) throw new AccountDeletedError();
    if ([...this.files.values()].some((existing) => existing.s3Key === file.s3Key)) throw new S3KeyAlreadyRegisteredError();
    this.files.set(file.id, file);
  }

  async delete(file: AudioFile): Promise<boolean> {
    return this.files.delete(file.id);
  }

  async findById(fileId: string): Promise<AudioFile | undefined> {
    return this.files.get(fileId);
  }

  async findByS3Key(s3Key: string): Promise<AudioFile | undefined> {
    return [...this.files.values()].find((file) => file.s3Key === s3Key);
  }

  async listByUser(userId: string, limit: number, after?: AudioFilePosition): Promise<AudioFilePage> {
    const mine = [...this.files.values()]
      .filter((file) => file.userId === userId)
      .sort((a, b) => b.uploadedAt.getTime() - a.uploadedAt.getTime() || b.id.localeCompare(a.id));
    const start = after ? mine.findIndex((file) => file.id === after.fileId) + 1 : 0;
    const files = mine.slice(start, start + limit);
    const last = files[files.length - 1];
    const more = start + limit < mine.length;
    return { files, next: more && last ? { uploadedAt: last.uploadedAt.getTime(), fileId: last.id } : undefined };
  }
}
