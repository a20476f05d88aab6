import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/app-config';
import { requestIdFor } from './request-id';

/**
 * Structured JSON logs through pino. Request lines carry only id, method, url and status: no header,
 * body or query value that could hold a password, token or hash is ever serialised.
 */
export async function loggerParams(config: AppConfig): Promise<Params> {
  const pretty = config.nodeEnv === 'development' ? await prettyStdout() : undefined;
  return {
    // Asynchronous, batched stdout (see LOG_BATCH_BYTES): a synchronous write per request line cost more
    // CPU than the request's own DynamoDB call under load. What is queued at exit is flushed.
    pinoHttp: [pinoOptions(config), pretty ?? asyncStdout()],
    // Every path, in the router syntax of Nest 11 (nestjs-pino's default '*' draws a deprecation warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  };
}

/**
 * Human-readable lines for `npm run dev`. pino-pretty is a development dependency: where it is not
 * installed (the production image) every environment logs JSON.
 */
async function prettyStdout(destination: 1 | 2 = 1): Promise<pino.DestinationStream | undefined> {
  const pretty = await import('pino-pretty').catch(() => undefined);
  return pretty?.default({
    destination,
    sync: true,
    colorize: pretty.isColorSupported,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,problems',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/**
 * A failed start is one line naming the problem (JSON in production, like every other line), not
 * Nest's stack trace: the application's logger may not exist yet, and the configuration may be the
 * problem, so NODE_ENV is read directly.
 */
export async function logStartFailure(error: unknown): Promise<void> {
  const pretty = (process.env.NODE_ENV ?? 'development') === 'development' ? await prettyStdout(2) : undefined;
  const logger = pino({ base: { pid: process.pid } }, pretty ?? pino.destination({ dest: 2, sync: true }));
  const problems = (error as { problems?: unknown }).problems;
  logger.fatal(
    { ...(Array.isArray(problems) ? { problems } : {}) },
    `panzoto-backend failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  logger.flush();
}

let stdout: pino.DestinationStream | undefined;
/**
 * Lines are written in batches of about this many bytes, or every LOG_FLUSH_INTERVAL_MS when fewer
 * arrive: one write(2) per line was an eighth of a health request's CPU. At exit the rest is flushed;
 * a process killed outright (SIGKILL, OOM) loses at most the last interval's lines.
 */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 200;

function asyncStdout(): pino.DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
    process.once('exit', () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing left to flush, or stdout already closed.
      }
    });
    stdout = destination;
  }
  return stdout;
}

function pinoOptions(config: AppConfig): Options {
  return {
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
  };
}
