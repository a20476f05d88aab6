import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

/** A response id: a UUID string. */
export const ApiUuidProperty = (options: ApiPropertyOptions = {}): PropertyDecorator => ApiProperty({ format: 'uuid', ...options });

/** A response timestamp: an ISO-8601 date-time string in UTC. */
export const ApiDateTimeProperty = (options: ApiPropertyOptions = {}): PropertyDecorator => ApiProperty({ format: 'date-time', ...options });
