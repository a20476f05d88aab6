import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

const toInteger = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);

const emptyToUndefined = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** A plain whole number from `min` to `max`: "1e3", "1.5" or "16k" are refused. */
export const IsIntegerIn = (min: number, max: number): PropertyDecorator => applyDecorators(Transform(toInteger), IsInt(), Min(min), Max(max));

/** Any non-empty string. */
export const IsNonEmptyString = (): PropertyDecorator => applyDecorators(IsString(), MinLength(1));

/** A variable without a default: unset, or set to "", means none; any other value must pass `rules`. */
export const IsUnsetOr = (...rules: PropertyDecorator[]): PropertyDecorator => applyDecorators(Transform(emptyToUndefined), IsOptional(), ...rules);

/** Comma-separated list → trimmed, non-empty items. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
