import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
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
  @ApiOperation({ summary: 'The account the token belongs to' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(401, 404)
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponseDto> {
    return { user: toPublicUser(await this.users.getById(caller.userId)) };
  }
}
