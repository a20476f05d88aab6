import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import { UserResponseDto } from './dto/user.dto';
import { toPublicUser } from './user';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({
    operationId: 'getCurrentUser',
    summary: 'The account the token belongs to',
    description: '404 only when the account was deleted while this session still existed.',
  })
  @ApiOkResponse({ type: UserResponseDto, description: 'The caller’s account' })
  @ApiErrorResponses(ErrorCode.NOT_FOUND)
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponseDto> {
    return { user: toPublicUser(await this.users.getById(caller.userId)) };
  }
}
