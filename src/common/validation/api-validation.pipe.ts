import { ArgumentMetadata, HttpStatus, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException } from '../errors/api.exception';
import { ErrorCode, FieldError } from '../errors/error-codes';
import { ExpiringCache } from '../util/expiring-cache';

/** Distinct valid query strings remembered per query DTO; the oldest is forgotten first. */
const VALIDATED_QUERIES_PER_DTO = 1000;

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Strict DTO validation: unknown fields are refused, nothing is coerced implicitly, and a body that is
 * not a JSON object (an array, a string, nothing) is a 400 before any DTO logic runs.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  private readonly validatedQueries = new WeakMap<object, ExpiringCache<string, unknown>>();

  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const details = flatten(errors);
        const summary = details.map((detail) => detail.message).join('; ');
        return new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, `Invalid request: ${summary}`, details);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, 'Request body must be a JSON object');
    }
    if (metadata.type === 'query' && metadata.metatype && this.toValidate(metadata) && typeof value === 'object' && value !== null) {
      return this.transformQuery(value, metadata, metadata.metatype);
    }
    return super.transform(value, metadata);
  }

  /**
   * What validation makes of a query string depends on its text alone, and clients repeat the same few
   * (a page size, a mode) on every request: a valid one is validated once, then its DTO, frozen, is
   * reused. An invalid one is refused afresh each time, so only valid queries take up room.
   */
  private async transformQuery(value: object, metadata: ArgumentMetadata, dto: object): Promise<unknown> {
    let cache = this.validatedQueries.get(dto);
    if (!cache) {
      cache = new ExpiringCache(Number.POSITIVE_INFINITY, VALIDATED_QUERIES_PER_DTO);
      this.validatedQueries.set(dto, cache);
    }
    const text = JSON.stringify(value);
    const cached = cache.get(text);
    if (cached !== undefined) return cached;
    const validated: unknown = Object.freeze(await super.transform(value, metadata));
    cache.set(text, validated);
    return validated;
  }
}
