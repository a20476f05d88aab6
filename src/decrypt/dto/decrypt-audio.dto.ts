import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiDateTimeProperty, ApiUuidProperty } from '../../common/http/api-properties';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../password-gate/password-fields';
import { AudioFileDto, mapAudioFile } from '../../audio-files/dto/audio-file.dto';
import { S3_KEY_MAX_LENGTH, S3_KEY_PATTERN } from '../../audio-files/audio-file';
import { IsS3Key } from '../../audio-files/dto/s3-key';
import type { DecryptJob } from '../decrypt-job';
import type { DecryptedCopy } from '../decrypt.service';

const DECRYPT_STATUS_READY = 'ready_for_transcription';

class DecryptPasswordField {
  @ApiProperty({
    maxLength: PASSWORD_MAX_LENGTH,
    example: 'SecurePassword123!',
    description: "The account's password: it unlocks the key the recording is encrypted under",
  })
  @MinLength(1, { message: 'password is required for decryption' })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  @IsString({ message: 'password must be a string' })
  password: string;
}

/** The body naming the file by id: one of the two documented forms of DecryptAudioDto. */
export class DecryptByFileIdDto extends DecryptPasswordField {
  @ApiUuidProperty({ description: 'The file_id of upload-url, of the listing or of a registered file' })
  file_id: string;
}

/** The body naming the file by its S3 key, as the Flask design did. */
export class DecryptByS3KeyDto extends DecryptPasswordField {
  @ApiProperty({ maxLength: S3_KEY_MAX_LENGTH, pattern: S3_KEY_PATTERN.source, description: 'The s3_key the file was registered with' })
  s3_key: string;
}

/** Validates both forms (file_id wins when a client sends both); documented as oneOf the two above. */
export class DecryptAudioDto extends DecryptPasswordField {
  @ValidateIf((body: DecryptAudioDto) => body.file_id !== undefined || body.s3_key === undefined)
  @IsUUID('all', { message: 'file_id (a UUID) or s3_key is required' })
  file_id?: string;

  @ValidateIf((body: DecryptAudioDto) => body.s3_key !== undefined)
  @IsS3Key()
  s3_key?: string;
}

const DECRYPT_MODES = ['link', 'stream'] as const;
type DecryptMode = (typeof DECRYPT_MODES)[number];

export class DecryptQueryDto {
  @ApiPropertyOptional({
    enum: DECRYPT_MODES,
    default: 'link',
    description:
      '`link` stores a short-lived decrypted copy and answers with a download URL; `stream` answers with the audio itself (as does `Accept: audio/*`)',
  })
  @IsOptional()
  @IsIn(DECRYPT_MODES, { message: 'mode must be link or stream' })
  mode?: DecryptMode;
}

export class DecryptAudioResponseDto {
  @ApiProperty({ enum: [DECRYPT_STATUS_READY] })
  status: typeof DECRYPT_STATUS_READY;

  @ApiProperty({ type: AudioFileDto })
  file_info: AudioFileDto;

  @ApiProperty({ description: 'Presigned GET of the decrypted copy' })
  download_url: string;

  @ApiDateTimeProperty({ description: 'When download_url stops working' })
  expires_at: string;

  @ApiUuidProperty()
  job_id: string;
}

/** The copy's file is open: its key was just used. */
export function mapDecryptedCopy(copy: DecryptedCopy): DecryptAudioResponseDto {
  return {
    status: DECRYPT_STATUS_READY,
    file_info: mapAudioFile(copy.file, new Set([copy.file.keyId])),
    download_url: copy.downloadUrl,
    expires_at: copy.downloadExpiresAt.toISOString(),
    job_id: copy.jobId,
  };
}

class DecryptJobDto {
  @ApiUuidProperty()
  job_id: string;

  @ApiUuidProperty()
  file_id: string;

  @ApiProperty({ enum: ['completed', 'failed'] })
  status: string;

  @ApiDateTimeProperty()
  created_at: string;

  @ApiDateTimeProperty({ description: 'When the decrypted copy and this record expire' })
  expires_at: string;

  @ApiPropertyOptional({ description: 'A fresh presigned GET of the decrypted copy (completed jobs)' })
  download_url?: string;
}

export class DecryptJobResponseDto {
  @ApiProperty({ type: DecryptJobDto })
  job: DecryptJobDto;
}

export function mapDecryptJob(job: DecryptJob, downloadUrl: string | undefined): DecryptJobDto {
  return {
    job_id: job.id,
    file_id: job.fileId,
    status: job.status,
    created_at: job.createdAt.toISOString(),
    expires_at: job.expiresAt.toISOString(),
    download_url: downloadUrl,
  };
}
