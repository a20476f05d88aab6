import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-codes';
import { addErrorCodes } from './api-error-responses.decorator';

/**
 * A path parameter that must be a UUID: anything else is answered 400 BAD_REQUEST "`subject` must be
 * a UUID" before the handler runs, and the operation documents that 400.
 */
export function UuidParam(name: string, subject = name): ParameterDecorator {
  const param = Param(name, new ParseUUIDPipe({ exceptionFactory: () => ApiException.badRequest(`${subject} must be a UUID`) }));
  return (target, key, index) => {
    param(target, key, index);
    addErrorCodes((target as Record<string | symbol, object>)[key as string | symbol], [ErrorCode.BAD_REQUEST]);
  };
}
