import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiDateTimeProperty, ApiUuidProperty } from '../../common/http/api-properties';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_SINGLE_PUT_BYTES } from '../../config/environment';
import type { AudioFile } from '../audio-file';
import type { UploadSlot } from '../audio-files.service';
import { AUDIO_CONTENT_TYPES, AudioContentType, DEFAULT_AUDIO_CONTENT_TYPE } from '../recording-keys';
import { MAX_FILE_SIZE, S3_KEY_MAX_LENGTH, S3_KEY_PATTERN } from '../audio-file';
import { IsS3Key } from './s3-key';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export class UploadUrlRequestDto {
  @ApiPropertyOptional({ enum: Object.keys(AUDIO_CONTENT_TYPES), default: DEFAULT_AUDIO_CONTENT_TYPE })
  @IsOptional()
  @IsIn(Object.keys(AUDIO_CONTENT_TYPES), { message: `content_type must be one of ${Object.keys(AUDIO_CONTENT_TYPES).join(', ')}` })
  content_type: AudioContentType = DEFAULT_AUDIO_CONTENT_TYPE;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SINGLE_PUT_BYTES,
    example: 3056,
    description:
      'Exact size in bytes of the encrypted recording that will be PUT (ciphertext, not audio); at most MAX_RECORDING_BYTES (413 otherwise). ' +
      'The URL only accepts a PUT with this Content-Length, and registration refuses an upload of another size.',
  })
  @Min(1, { message: 'file_size must be at least 1' })
  @Max(MAX_SINGLE_PUT_BYTES, { message: `file_size must be at most ${MAX_SINGLE_PUT_BYTES} bytes` })
  @IsInt({ message: 'file_size (the exact size in bytes of the encrypted recording) must be an integer' })
  file_size: number;
}

export class UploadUrlResponseDto {
  @ApiUuidProperty({ description: 'The id to encrypt under (associated data "<user_id>:<file_id>") and to register' })
  file_id: string;

  @ApiProperty({ example: 'users/3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d.3gp' })
  s3_key: string;

  @ApiProperty({
    description:
      'Presigned S3 URL: PUT the encrypted recording here before expires_at, with Content-Length equal to file_size. ' +
      'It writes a pending upload, not s3_key; registering copies it to s3_key, and an unregistered upload expires after a day.',
  })
  upload_url: string;

  @ApiProperty({ enum: ['PUT'] })
  method: 'PUT';

  @ApiDateTimeProperty()
  expires_at: string;
}

export function mapUploadSlot(slot: UploadSlot): UploadUrlResponseDto {
  return { file_id: slot.fileId, s3_key: slot.s3Key, upload_url: slot.url, method: 'PUT', expires_at: slot.expiresAt.toISOString() };
}

export class CreateAudioFileDto {
  @ApiProperty({
    maxLength: S3_KEY_MAX_LENGTH,
    pattern: S3_KEY_PATTERN.source,
    description: 'A key issued by POST /api/audio-files/upload-url, after its upload finished',
    example: 'users/3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d.3gp',
  })
  @IsS3Key()
  s3_key: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'If given, must equal the file id in s3_key' })
  @IsOptional()
  @IsUUID('all', { message: 'file_id must be a UUID' })
  file_id?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_FILE_SIZE,
    example: 1024,
    description: 'Bytes, as the client measured them; the size recorded is the stored object’s own',
  })
  @IsOptional()
  @Min(0, { message: 'file_size must not be negative' })
  @Max(MAX_FILE_SIZE, { message: `file_size must be at most ${MAX_FILE_SIZE} bytes` })
  @IsInt({ message: 'file_size must be an integer number of bytes' })
  file_size?: number;
}

/** Query strings are text: only a plain run of digits becomes a number, so "abc", "1.5" or "1e3" are refused. */
const digitsToInteger = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value);

export class ListAudioFilesQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Transform(digitsToInteger)
  @Min(1, { message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  @IsInt({ message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'The next_cursor of the previous page' })
  @IsOptional()
  @MaxLength(512, { message: 'cursor is not valid' })
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, { message: 'cursor is not valid' })
  @IsString({ message: 'cursor must be a string' })
  cursor?: string;
}

export class AudioFileDto {
  @ApiUuidProperty()
  file_id: string;

  @ApiUuidProperty()
  user_id: string;

  @ApiProperty({ example: 'users/test-user/audio-123.3gp' })
  s3_key: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 1024 })
  file_size: number | null;

  @ApiDateTimeProperty({ example: '2026-11-25T14:34:27.123Z', description: 'ISO-8601 UTC, millisecond precision' })
  uploaded_at: string;

  @ApiProperty({ type: 'integer', example: 1, description: 'Id of the user key the recording is encrypted under (1: the account’s first)' })
  key_id: number;

  @ApiProperty({
    description:
      'True when a password reset without the recovery code left the recording’s key locked: it cannot be decrypted (423 RECORDING_LOCKED) until the recovery code of that time is entered (POST /api/user/recovery-code/redeem)',
  })
  locked: boolean;
}

/** `locked`: the recording's key is not one the password opens (see openKeyIds). */
export function mapAudioFile(file: AudioFile, openKeyIds: ReadonlySet<number>): AudioFileDto {
  return {
    file_id: file.id,
    user_id: file.userId,
    s3_key: file.s3Key,
    file_size: file.fileSize,
    uploaded_at: file.uploadedAt.toISOString(),
    key_id: file.keyId,
    locked: !openKeyIds.has(file.keyId),
  };
}

export class AudioFileResponseDto {
  @ApiProperty({ type: AudioFileDto })
  audio_file: AudioFileDto;
}

export class AudioFileListResponseDto {
  @ApiProperty({ type: [AudioFileDto], description: 'Newest first' })
  audio_files: AudioFileDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page' })
  next_cursor: string | null;
}

const AUDIO_FILE_SERIALIZATION = {
  type: 'object',
  properties: {
    file_id: { type: 'string' },
    user_id: { type: 'string' },
    s3_key: { type: 'string' },
    file_size: { type: ['number', 'null'] },
    uploaded_at: { type: 'string' },
    key_id: { type: 'integer' },
    locked: { type: 'boolean' },
  },
} as const;

/**
 * AudioFileListResponseDto as a Fastify response schema: the page is serialised by a function
 * compiled from it (fast-json-stringify) rather than by JSON.stringify.
 */
export const AUDIO_FILE_LIST_SERIALIZATION = {
  type: 'object',
  properties: {
    audio_files: { type: 'array', items: AUDIO_FILE_SERIALIZATION },
    next_cursor: { type: ['string', 'null'] },
  },
} as const;
