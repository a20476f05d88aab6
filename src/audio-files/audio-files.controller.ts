import { Body, Controller, Delete, Get, HttpStatus, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { Client, ClientContext } from '../common/http/client-context';
import { CurrentUser } from '../common/http/current-user.decorator';
import { Responds } from '../common/http/responds.decorator';
import { UuidParam } from '../common/http/uuid-param';
import { AudioFilesService } from './audio-files.service';
import {
  AUDIO_FILE_LIST_SERIALIZATION,
  AudioFileListResponseDto,
  AudioFileResponseDto,
  CreateAudioFileDto,
  ListAudioFilesQueryDto,
  mapAudioFile,
  mapUploadSlot,
  UploadUrlRequestDto,
  UploadUrlResponseDto,
} from './dto/audio-file.dto';

@ApiTags('audio files')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller()
export class AudioFilesController {
  constructor(private readonly audioFiles: AudioFilesService) {}

  @Get('user/audio-files')
  @ApiOperation({
    operationId: 'listAudioFiles',
    summary: "The caller's audio files, newest first, one page at a time",
    description:
      'Pass `next_cursor` as `cursor` for the next page. A file registered a moment ago can take a short time to appear. ' +
      '`locked` follows a password reset or recovery-code redeem at once on the instance that handled it and within AUTH_CACHE_TTL_MS on the others; ' +
      'decryption always decides from the current keys (423 RECORDING_LOCKED).',
  })
  @Responds(HttpStatus.OK, { type: AudioFileListResponseDto, description: 'One page of files; `next_cursor` is null on the last page' })
  @ApiErrorResponses(ErrorCode.INVALID_CURSOR)
  @RouteSchema({ response: { 200: AUDIO_FILE_LIST_SERIALIZATION } })
  async list(@CurrentUser() caller: AuthenticatedUser, @Query() query: ListAudioFilesQueryDto): Promise<AudioFileListResponseDto> {
    const [{ files, nextCursor }, open] = await Promise.all([
      this.audioFiles.list(caller.userId, query.limit, query.cursor),
      this.audioFiles.openKeyIds(caller.userId),
    ]);
    return { audio_files: files.map((file) => mapAudioFile(file, open)), next_cursor: nextCursor };
  }

  @Post('audio-files/upload-url')
  @ApiOperation({
    operationId: 'createUploadUrl',
    summary: 'Get a presigned URL to upload one encrypted recording of a declared size',
    description:
      'The key is under users/<user_id>/. Encrypt with associated data "<user_id>:<file_id>" and PUT exactly file_size bytes. ' +
      'Rate limited per account and per client address (429 with Retry-After); a file_size over MAX_RECORDING_BYTES is 413 RECORDING_TOO_LARGE.',
  })
  @Responds(HttpStatus.CREATED, {
    type: UploadUrlResponseDto,
    description: 'Where to PUT the encrypted recording, and the file id it must be encrypted for',
  })
  @ApiErrorResponses(ErrorCode.RECORDING_TOO_LARGE, ErrorCode.TOO_MANY_REQUESTS, ErrorCode.ACCOUNT_DELETED)
  async uploadUrl(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: UploadUrlRequestDto,
    @Client() client: ClientContext,
  ): Promise<UploadUrlResponseDto> {
    return mapUploadSlot(await this.audioFiles.uploadSlot(caller.userId, body, client));
  }

  @Post('audio-file')
  @ApiOperation({
    operationId: 'registerAudioFile',
    summary: 'Record an uploaded audio file',
    description:
      'The key must be under the caller’s prefix (403 otherwise) and its upload must exist (404), have the size declared for its URL ' +
      '(422 UPLOAD_SIZE_MISMATCH) and fit MAX_RECORDING_BYTES (413 RECORDING_TOO_LARGE); a refused upload is deleted. Its real size is recorded.',
  })
  @Responds(HttpStatus.CREATED, { type: AudioFileResponseDto, description: 'The recorded file, with the stored object’s size' })
  @ApiErrorResponses(
    ErrorCode.BAD_REQUEST,
    ErrorCode.FORBIDDEN,
    ErrorCode.OBJECT_NOT_FOUND,
    ErrorCode.S3_KEY_TAKEN,
    ErrorCode.CONFLICT,
    ErrorCode.RECORDING_TOO_LARGE,
    ErrorCode.UPLOAD_SIZE_MISMATCH,
    ErrorCode.ACCOUNT_DELETED,
  )
  async create(@CurrentUser() caller: AuthenticatedUser, @Body() body: CreateAudioFileDto): Promise<AudioFileResponseDto> {
    const file = await this.audioFiles.create(caller.userId, body);
    return { audio_file: mapAudioFile(file, new Set([file.keyId])) };
  }

  @Get('audio-files/:file_id')
  @ApiOperation({
    operationId: 'getAudioFile',
    summary: 'One of the caller’s audio files',
    description: 'Another user’s file answers 404, as a missing one does.',
  })
  @Responds(HttpStatus.OK, { type: AudioFileResponseDto, description: 'The file' })
  @ApiErrorResponses(ErrorCode.NOT_FOUND)
  async get(@CurrentUser() caller: AuthenticatedUser, @UuidParam('file_id') fileId: string): Promise<AudioFileResponseDto> {
    const [file, open] = await Promise.all([this.audioFiles.getOwned(caller.userId, fileId), this.audioFiles.openKeyIds(caller.userId)]);
    return { audio_file: mapAudioFile(file, open) };
  }

  @Delete('audio-files/:file_id')
  @ApiOperation({
    operationId: 'deleteAudioFile',
    summary: 'Delete one of the caller’s audio files: record, stored object and decrypted copies',
    description: 'Another user’s file answers 404, as a missing one does.',
  })
  @Responds(HttpStatus.NO_CONTENT, { description: 'Deleted; deleting again answers 404' })
  @ApiErrorResponses(ErrorCode.NOT_FOUND)
  async remove(@CurrentUser() caller: AuthenticatedUser, @UuidParam('file_id') fileId: string): Promise<void> {
    await this.audioFiles.delete(caller.userId, fileId);
  }
}
