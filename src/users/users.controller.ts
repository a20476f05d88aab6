import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../common/http/current-user.decorator';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import { Responds } from '../common/http/responds.decorator';
import { mapUser, UserResponseDto } from './dto/user.dto';
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
  @Responds(HttpStatus.OK, { type: UserResponseDto, description: 'The caller’s account' })
  @ApiErrorResponses(ErrorCode.NOT_FOUND)
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponseDto> {
    return { user: mapUser(await this.users.getById(caller.userId)) };
  }
}
