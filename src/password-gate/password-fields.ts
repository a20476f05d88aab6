import { applyDecorators } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
/** Bounds the Argon2 input: a megabyte "password" is refused before any hashing. */
export const PASSWORD_MAX_LENGTH = 1024;

/** A password the account already has (login, confirmations): any non-empty string up to PASSWORD_MAX_LENGTH. */
export const IsPresentedPassword = (field: string): PropertyDecorator =>
  applyDecorators(
    IsString({ message: `${field} must be a string` }),
    MaxLength(PASSWORD_MAX_LENGTH, { message: `${field} must be at most ${PASSWORD_MAX_LENGTH} characters` }),
    MinLength(1, { message: `${field} is required` }),
  );

/** A password being chosen: PASSWORD_MIN_LENGTH to PASSWORD_MAX_LENGTH characters. */
export const IsNewPassword = (field: string): PropertyDecorator =>
  applyDecorators(
    IsString({ message: `${field} must be a string` }),
    MaxLength(PASSWORD_MAX_LENGTH, { message: `${field} must be at most ${PASSWORD_MAX_LENGTH} characters` }),
    MinLength(PASSWORD_MIN_LENGTH, { message: `${field} must be at least ${PASSWORD_MIN_LENGTH} characters` }),
  );
