import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { S3_KEY_MAX_LENGTH, S3_KEY_PATTERN } from '../audio-file';

export function IsS3Key(): PropertyDecorator {
  return applyDecorators(
    IsString({ message: 's3_key must be a string' }),
    MinLength(1, { message: 's3_key must not be empty' }),
    MaxLength(S3_KEY_MAX_LENGTH, { message: `s3_key must be at most ${S3_KEY_MAX_LENGTH} characters` }),
    Matches(S3_KEY_PATTERN, {
      message: "s3_key may contain only letters, digits and !-_.*'()/, and must not start with / or have empty, . or .. segments",
    }),
  );
}
