import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiException } from '../common/errors/api.exception';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import { toAudioFileView } from './audio-file';
import { AudioFilesService } from './audio-files.service';
import {
  AudioFileListResponseDto,
  AudioFileResponseDto,
  CreateAudioFileDto,
  ListAudioFilesQueryDto,
} from './dto/audio-file.dto';

const fileIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => ApiException.badRequest('file_id must be a UUID'),
});

@ApiTags('audio files')
@ApiBearerAuth()
@ApiErrorResponses(401)
@Controller()
export class AudioFilesController {
  constructor(private readonly audioFiles: AudioFilesService) {}

  @Get('user/audio-files')
  @ApiOperation({ summary: "The caller's audio files, newest first, one page at a time" })
  @ApiOkResponse({ type: AudioFileListResponseDto })
  async list(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: ListAudioFilesQueryDto,
  ): Promise<AudioFileListResponseDto> {
    const { files, nextCursor } = await this.audioFiles.list(caller.userId, query.limit, query.cursor);
    return { audio_files: files.map(toAudioFileView), next_cursor: nextCursor };
  }

  @Post('audio-file')
  @ApiOperation({ summary: 'Record an uploaded audio file' })
  @ApiCreatedResponse({ type: AudioFileResponseDto })
  @ApiErrorResponses(409, 413)
  async create(@CurrentUser() caller: AuthenticatedUser, @Body() body: CreateAudioFileDto): Promise<AudioFileResponseDto> {
    return { audio_file: toAudioFileView(await this.audioFiles.create(caller.userId, body)) };
  }

  @Get('audio-files/:file_id')
  @ApiOperation({ summary: 'One of the caller’s audio files' })
  @ApiOkResponse({ type: AudioFileResponseDto })
  @ApiErrorResponses(404)
  async get(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('file_id', fileIdPipe) fileId: string,
  ): Promise<AudioFileResponseDto> {
    return { audio_file: toAudioFileView(await this.audioFiles.getOwned(caller.userId, fileId)) };
  }
}
