import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-codes';

/**
 * The deepest nesting of objects and arrays a request body may have. Every body of the API is a flat
 * object; the bound only has to stop hostile bodies, which cost CPU in every later step (parsing,
 * class-transformer, validation) in proportion to their depth.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests objects and arrays deeper than `maxDepth`: one pass over the text, counting
 * brackets outside strings, without allocating. Malformed text may be miscounted; it is refused either way.
 */
function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === BACKSLASH) index++;
      else if (character === QUOTE) inString = false;
    } else if (character === QUOTE) {
      inString = true;
    } else if (character === OPEN_BRACE || character === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (character === CLOSE_BRACE || character === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * The only body parser: `application/json` up to `bodyLimitBytes`. An empty body counts as no body (many
 * clients send the header on every request), so endpoints that take none accept it and endpoints that
 * need one refuse it as a missing object. Bodies nested deeper than MAX_JSON_DEPTH are refused before
 * `JSON.parse` runs; the rest go to Fastify's parser, which also refuses `__proto__` and `constructor`
 * keys.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimitBytes: number): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
      return done(
        new ApiException(
          HttpStatus.BAD_REQUEST,
          ErrorCode.BODY_TOO_DEEP,
          `Request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`,
        ),
        undefined,
      );
    }
    void parseJson(request, text, done);
  });
}
