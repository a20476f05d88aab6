import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../auth/dto/credentials.dto';
import { AudioFileDto } from '../../audio-files/dto/audio-file.dto';
import { IsS3Key, S3_KEY_MAX_LENGTH } from '../../audio-files/dto/s3-key';

export const DECRYPT_STATUS_READY = 'ready_for_transcription';

export class DecryptAudioDto {
  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH, description: "The account's password (re-checked for every decryption)" })
  @MinLength(1, { message: 'password is required for decryption' })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  @IsString({ message: 'password must be a string' })
  password: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Which file; either this or s3_key (file_id wins when both are given)' })
  @ValidateIf((body: DecryptAudioDto) => body.file_id !== undefined || body.s3_key === undefined)
  @IsUUID('all', { message: 'file_id (a UUID) or s3_key is required' })
  file_id?: string;

  @ApiPropertyOptional({ maxLength: S3_KEY_MAX_LENGTH })
  @ValidateIf((body: DecryptAudioDto) => body.s3_key !== undefined)
  @IsS3Key()
  s3_key?: string;
}

export class DecryptAudioResponseDto {
  @ApiProperty({ enum: [DECRYPT_STATUS_READY] })
  status: typeof DECRYPT_STATUS_READY;

  @ApiProperty({ type: AudioFileDto })
  file_info: AudioFileDto;
}
