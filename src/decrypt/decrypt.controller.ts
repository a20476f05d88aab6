import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import { DecryptService } from './decrypt.service';
import { DecryptAudioDto, DecryptAudioResponseDto } from './dto/decrypt-audio.dto';

@ApiTags('decrypt')
@ApiBearerAuth()
@Controller()
export class DecryptController {
  constructor(private readonly decrypt: DecryptService) {}

  @Post('decrypt-audio')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Check the password and locate one of the caller’s files for transcription',
    description: 'Verifies the password (401) and finds the caller’s file by file_id or s3_key (404 when missing or not theirs).',
  })
  @ApiOkResponse({ type: DecryptAudioResponseDto })
  @ApiErrorResponses(401, 404, 413)
  prepare(@CurrentUser() caller: AuthenticatedUser, @Body() body: DecryptAudioDto): Promise<DecryptAudioResponseDto> {
    return this.decrypt.prepare(caller.userId, body);
  }
}
