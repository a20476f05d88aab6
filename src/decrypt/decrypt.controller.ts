import { Body, Controller, Get, Header, Headers, HttpStatus, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AUDIO_CONTENT_TYPES } from '../audio-files/recording-keys';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses, ApiPasswordChecked } from '../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { Client, ClientContext } from '../common/http/client-context';
import { CurrentUser } from '../common/http/current-user.decorator';
import { Responds } from '../common/http/responds.decorator';
import { UuidParam } from '../common/http/uuid-param';
import { DecryptService } from './decrypt.service';
import {
  DecryptAudioDto,
  DecryptAudioResponseDto,
  DecryptByFileIdDto,
  DecryptByS3KeyDto,
  DecryptJobResponseDto,
  DecryptQueryDto,
  mapDecryptedCopy,
  mapDecryptJob,
} from './dto/decrypt-audio.dto';

/** The stream answer's Content-Type comes from the key's extension; keys of other forms (migrated) get octet-stream. */
const STREAMED_MEDIA_TYPES = [...Object.keys(AUDIO_CONTENT_TYPES), 'application/octet-stream'];

function wantsAudio(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*audio\//i.test(accept);
}

@ApiTags('decrypt')
@ApiBearerAuth()
@Controller()
export class DecryptController {
  constructor(private readonly decrypt: DecryptService) {}

  @Post('decrypt-audio')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'decryptAudio',
    summary: 'Decrypt one of the caller’s recordings',
    description:
      'Checks the password (401, before any storage read) and finds the caller’s file by file_id or s3_key (404). ' +
      'By default stores a short-lived decrypted copy and answers with a presigned download URL (15 min). ' +
      'With `Accept: audio/*` or `?mode=stream` answers with the audio itself and stores nothing; a failure after ' +
      'the first bytes aborts the connection. At most DECRYPT_CONCURRENCY_PER_ACCOUNT decryptions of one account (429) and ' +
      'DECRYPT_CONCURRENCY in all (503 SERVER_BUSY) run at once per instance; both refusals carry Retry-After.',
  })
  @ApiExtraModels(DecryptByFileIdDto, DecryptByS3KeyDto, DecryptAudioResponseDto)
  @ApiBody({
    description: 'The password and either file_id or s3_key',
    schema: { oneOf: [{ $ref: getSchemaPath(DecryptByFileIdDto) }, { $ref: getSchemaPath(DecryptByS3KeyDto) }] },
  })
  @Responds(HttpStatus.OK, {
    description: 'JSON (default): a link to a short-lived decrypted copy. Audio (`Accept: audio/*` or `?mode=stream`): the recording itself',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(DecryptAudioResponseDto) } },
      ...Object.fromEntries(STREAMED_MEDIA_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
    },
  })
  @ApiPasswordChecked(
    ErrorCode.UNAUTHORIZED,
    ErrorCode.NOT_FOUND,
    ErrorCode.OBJECT_NOT_FOUND,
    ErrorCode.DECRYPTION_FAILED,
    ErrorCode.RECORDING_LOCKED,
    ErrorCode.ACCOUNT_DELETED,
  )
  async decryptAudio(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: DecryptAudioDto,
    @Query() query: DecryptQueryDto,
    @Headers('accept') accept: string | undefined,
    @Client() client: ClientContext,
  ): Promise<StreamableFile | DecryptAudioResponseDto> {
    if (query.mode === 'stream' || (query.mode === undefined && wantsAudio(accept))) {
      const audio = await this.decrypt.decryptToStream(caller.userId, body, client);
      return new StreamableFile(audio.body, { type: audio.contentType, length: audio.length });
    }
    return mapDecryptedCopy(await this.decrypt.decryptToCopy(caller.userId, body, client));
  }

  @Get('decrypt-jobs/:job_id')
  @ApiOperation({
    operationId: 'getDecryptJob',
    summary: 'One of the caller’s decryption jobs',
    description: 'A completed job whose copy still exists comes with a fresh download URL.',
  })
  @Responds(HttpStatus.OK, { type: DecryptJobResponseDto, description: 'The job' })
  @ApiErrorResponses(ErrorCode.NOT_FOUND)
  async getJob(@CurrentUser() caller: AuthenticatedUser, @UuidParam('job_id') jobId: string): Promise<DecryptJobResponseDto> {
    const { job, downloadUrl } = await this.decrypt.getJob(caller.userId, jobId);
    return { job: mapDecryptJob(job, downloadUrl) };
  }
}
