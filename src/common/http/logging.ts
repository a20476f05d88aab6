import { Global, LoggerService, Module } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import pino from 'pino';
import { AppConfig } from '../../config/app-config';

/**
 * Structured JSON logs through pino: one line per request, written by an `onResponse` hook, plus what
 * the code logs. Request lines carry only id, method, url, status and latency: no header, body or
 * query value that could hold a password, token or hash is ever serialised. Every line logged while
 * a request's handler runs carries that request's id too.
 */

/** The request whose handler (guards, pipes, controller, exception filter) is running. */
const currentRequest = new AsyncLocalStorage<FastifyRequest>();

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** The request fields of every line about a request. */
function requestFields(request: FastifyRequest): { req: { id: string; method: string; url: string }; request_id: string } {
  return { req: { id: request.id, method: request.method, url: request.url }, request_id: request.id };
}

/**
 * The service's logger, for Nest (`app.useLogger`) and for the request lines. Nest's `Logger` calls map
 * onto pino: the context in `context`, an Error in `err`, an object merged into the line.
 */
export class AppLogger implements LoggerService {
  constructor(
    /** What the code logs: redacted, and tagged with the current request. */
    private readonly lines: pino.Logger,
    private readonly requestLines: RequestLines,
  ) {}

  verbose = (message: unknown, ...params: unknown[]): void => this.call('trace', message, params);
  debug = (message: unknown, ...params: unknown[]): void => this.call('debug', message, params);
  log = (message: unknown, ...params: unknown[]): void => this.call('info', message, params);
  warn = (message: unknown, ...params: unknown[]): void => this.call('warn', message, params);
  error = (message: unknown, ...params: unknown[]): void => this.call('error', message, params);
  fatal = (message: unknown, ...params: unknown[]): void => this.call('fatal', message, params);

  requestCompleted(request: FastifyRequest, reply: FastifyReply): void {
    this.requestLines.write(request, reply.statusCode, Math.round(reply.elapsedTime * 100) / 100);
  }

  /** Nest passes the context last; Nest's exception handlers pass a stack as a string before it. */
  private call(level: Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    if (typeof message === 'object' && message !== null) {
      if (message instanceof Error) fields.err = message;
      else Object.assign(fields, message);
      this.lines[level](fields, ...(rest as []));
    } else if (level === 'error' && typeof message === 'string' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      const err = new Error(message);
      err.stack = rest[0];
      this.lines[level]({ ...fields, err });
    } else {
      this.lines[level](fields, String(message), ...(rest as []));
    }
  }
}

/**
 * The line per request, in the shape pino gives every line, written here from its few known fields:
 * no redaction pass, no lookup of the current request and no walk over an object, which together cost
 * more than the line itself. Its level is info, warn for a 4xx, error for a 5xx.
 */
export class RequestLines {
  private readonly threshold: number;
  /** pino's base fields, the same on every line. */
  private readonly base = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;

  constructor(
    level: string,
    private readonly out: pino.DestinationStream,
  ) {
    this.threshold = level === 'silent' ? Number.POSITIVE_INFINITY : pino.levels.values[level];
  }

  write(request: FastifyRequest, status: number, responseTimeMs: number): void {
    const level = status >= 500 ? pino.levels.values.error : status >= 400 ? pino.levels.values.warn : pino.levels.values.info;
    if (level < this.threshold) return;
    const id = JSON.stringify(request.id);
    this.out.write(
      `{"level":${level},"time":${Date.now()}${this.base},"req":{"id":${id},"method":${JSON.stringify(request.method)},"url":${JSON.stringify(request.url)}},` +
        `"request_id":${id},"res":{"statusCode":${status}},"responseTime":${responseTimeMs},"msg":"${status >= 500 ? 'request errored' : 'request completed'}"}\n`,
    );
  }
}

/**
 * One line per request from an `onResponse` hook, and the request's context for everything its
 * handler logs. The context is entered in `preHandler`, after the body is read: the body's chunks
 * arrive in the connection's own async context, which would lose a context entered earlier.
 */
export function logRequests(fastify: FastifyInstance, logger: AppLogger): void {
  fastify.addHook('preHandler', (request, _reply, done) => currentRequest.run(request, done));
  fastify.addHook('onResponse', (request, reply, done) => {
    logger.requestCompleted(request, reply);
    done();
  });
}

async function createAppLogger(config: AppConfig): Promise<AppLogger> {
  const destination = (config.nodeEnv === 'development' ? await prettyStdout() : undefined) ?? asyncStdout();
  const lines = pino(
    {
      level: config.logLevel,
      redact: { paths: ['req.headers', 'res.headers', '*.password', '*.token'], censor: '[redacted]' },
      mixin: () => {
        const request = currentRequest.getStore();
        return request ? requestFields(request) : {};
      },
    },
    destination,
  );
  return new AppLogger(lines, new RequestLines(config.logLevel, destination));
}

/** `AppLogger` for `app.useLogger` (see configureApp), made from the configuration. */
@Global()
@Module({
  providers: [{ provide: AppLogger, inject: [AppConfig], useFactory: createAppLogger }],
  exports: [AppLogger],
})
export class LoggingModule {}

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

/**
 * Lines are written in batches of about this many characters, or every LOG_FLUSH_INTERVAL_MS when fewer
 * arrive: one write(2) per line was an eighth of a health request's CPU, and each write still costs
 * about as much as 15 lines, so a batch holds a few hundred. At exit the rest is flushed; a process
 * killed outright (SIGKILL, OOM) loses at most the last interval's lines.
 */
const LOG_BATCH_CHARS = 64 * 1024;
const LOG_FLUSH_INTERVAL_MS = 200;

/**
 * Collects lines and hands each batch to `out` as one string. pino's own batching (sonic-boom's
 * `minLength`) appends every line to one growing string and measures that string's byte length on
 * every write: half of a request line's cost.
 */
export class BatchedLines implements pino.DestinationStream {
  private lines: string[] = [];
  private length = 0;

  constructor(
    private readonly out: { write(chunk: string): unknown; flushSync(): void },
    private readonly batchChars: number,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= this.batchChars) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.length = 0;
    this.out.write(chunk);
  }

  flushSync(): void {
    this.flush();
    this.out.flushSync();
  }
}

/** Lines to the file descriptor `fd`, asynchronously, in batches written at least every LOG_FLUSH_INTERVAL_MS. */
export function batchedLines(fd: number): BatchedLines {
  const lines = new BatchedLines(pino.destination({ dest: fd, sync: false }), LOG_BATCH_CHARS);
  setInterval(() => lines.flush(), LOG_FLUSH_INTERVAL_MS).unref();
  return lines;
}

let stdout: BatchedLines | undefined;

function asyncStdout(): pino.DestinationStream {
  if (!stdout) {
    const lines = batchedLines(1);
    process.once('exit', () => {
      try {
        lines.flushSync();
      } catch {
        // Nothing left to flush, or stdout already closed.
      }
    });
    stdout = lines;
  }
  return stdout;
}
