import { Module } from '@nestjs/common';
import { DynamoDbUsersRepository } from './dynamodb-users.repository';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, { provide: UsersRepository, useClass: DynamoDbUsersRepository }],
  exports: [UsersService],
})
export class UsersModule {}
