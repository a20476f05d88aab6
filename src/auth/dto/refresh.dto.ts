import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh_token of the last login or refresh' })
  @Matches(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,100}$/, { message: 'refresh_token is not a refresh token' })
  @MaxLength(200, { message: 'refresh_token is not a refresh token' })
  @IsString({ message: 'refresh_token must be a string' })
  refresh_token: string;
}
