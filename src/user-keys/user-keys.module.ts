import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { PasswordGateModule } from '../password-gate/password-gate.module';
import { UserKeysService } from './user-keys.service';

@Module({
  imports: [UsersModule, PasswordGateModule],
  providers: [UserKeysService],
  exports: [UserKeysService],
})
export class UserKeysModule {}
