import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { requestIdFor } from './request-id';

/**
 * Structured JSON logs through pino. Request lines carry only id, method, url and status: no header,
 * body or query value that could hold a password, token or hash is ever serialised.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    // Every path, in the router syntax of Nest 11 (nestjs-pino's default '*' draws a deprecation warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      genReqId: (request: IncomingMessage) => request.id ?? requestIdFor(request),
      customProps: (request: IncomingMessage) => ({ request_id: request.id }),
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      redact: { paths: ['req.headers', 'res.headers', '*.password', '*.token'], censor: '[redacted]' },
      customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
