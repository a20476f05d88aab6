import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, ValidateBy } from 'class-validator';
import { EMAIL_MAX_LENGTH, normaliseEmail } from '../email';

/** The normalised address (see users/email.ts); an unacceptable one is left as sent, for IsNormalisableEmail to refuse. */
const toNormalisedEmail = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const result = normaliseEmail(value);
  return result.ok ? result.email : value;
};

const IsNormalisableEmail = (): PropertyDecorator =>
  ValidateBy({
    name: 'isNormalisableEmail',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && normaliseEmail(value).ok,
      defaultMessage: (args) => {
        const result = normaliseEmail(String(args?.value));
        return result.ok ? 'email must be a string' : result.problem;
      },
    },
  });

/** An account's email address, normalised; the type is checked before the content (the first failure stops validation). */
export const IsAccountEmail = (field: string): PropertyDecorator =>
  applyDecorators(
    IsString({ message: `${field} must be a string` }),
    IsNormalisableEmail(),
    MaxLength(EMAIL_MAX_LENGTH, { message: `${field} must be at most ${EMAIL_MAX_LENGTH} characters` }),
    IsEmail({}, { message: `${field} must be a valid email address` }),
    Transform(toNormalisedEmail),
  );

export class EmailField {
  @ApiProperty({
    format: 'email',
    maxLength: EMAIL_MAX_LENGTH,
    example: 'test@example.com',
    description:
      'Normalised before use: Unicode NFKC (composed accents, full-width and other compatibility forms folded), trimmed, lower-cased. Spaces, control and invisible characters (zero-width, bidi) are refused.',
  })
  @IsAccountEmail('email')
  email: string;
}
