import { Injectable } from '@nestjs/common';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { toAudioFileView } from '../audio-files/audio-file';
import { PasswordHasher } from '../auth/password-hasher';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { UsersService } from '../users/users.service';
import { DECRYPT_STATUS_READY, DecryptAudioDto, DecryptAudioResponseDto } from './dto/decrypt-audio.dto';

@Injectable()
export class DecryptService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly audioFiles: AudioFilesService,
  ) {}

  /** Password first (401), then the caller's own file by id or S3 key (404 for missing or foreign). */
  async prepare(userId: string, { password, file_id, s3_key }: DecryptAudioDto): Promise<DecryptAudioResponseDto> {
    const user = await this.users.findById(userId);
    if (!user) throw ApiException.unauthorized('The account of this token no longer exists');
    if (!(await this.passwords.verify(user.passwordHash, password))) {
      throw ApiException.unauthorized('Invalid password', ErrorCode.INVALID_PASSWORD);
    }
    const file = file_id
      ? await this.audioFiles.getOwned(userId, file_id)
      : await this.audioFiles.getOwnedByS3Key(userId, s3_key as string);
    return { status: DECRYPT_STATUS_READY, file_info: toAudioFileView(file) };
  }
}
