import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openSync } from 'node:fs';
import pino from 'pino';
import { AppLogger, batchedLines, logRequests, RequestLines } from '../../src/common/http/logging';
import { median, round } from './stats';

export interface RequestLogCost {
  requestsPerRound: number;
  /** CPU µs per request of each round through the logging hooks, at LOG_LEVEL=info (a line per request) and at warn (none). */
  onUsPerRound: number[];
  offUsPerRound: number[];
  /** Median over the rounds of (on − off): the CPU a request's log line costs, in µs. */
  costUs: number;
}

/** Requests between two turns of the event loop, as a server under load gets from its sockets: the log writes need them. */
const YIELD_EVERY = 16;

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/** The hooks `logRequests` installs on a server, with the service's own logger and batched destination at `level`. */
function loggingHooks(level: string, fd: number): Hook[] {
  const hooks: Hook[] = [];
  const lines = batchedLines(fd);
  const server = { addHook: (_name: string, hook: Hook) => hooks.push(hook) } as unknown as FastifyInstance;
  logRequests(server, new AppLogger(pino({ level }, lines), new RequestLines(level, lines)));
  return hooks;
}

/**
 * The request line's CPU, with logging on and off in one process. Between two service processes the
 * difference, a few µs, drowns in how differently each runs from second to second (the HTTP figures
 * show it). Here the service's own request hooks (the request's context, then its line) run for a
 * health request, alternately at info and at warn, writing to `file` (left open: its last batches are
 * written asynchronously, and the bench's exit closes it).
 */
export async function measureRequestLogCost(file: string, rounds: number, requestsPerRound: number): Promise<RequestLogCost> {
  const fd = openSync(file, 'w');
  const request = { id: '5f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11', method: 'GET', url: '/api/health' } as FastifyRequest;
  const reply = { statusCode: 200, elapsedTime: 0.4213 } as FastifyReply;
  const done = (): void => undefined;
  const usPerRequest = async (hooks: Hook[]): Promise<number> => {
    const start = process.cpuUsage();
    for (let i = 0; i < requestsPerRound; i++) {
      for (const hook of hooks) hook(request, reply, done);
      if (i % YIELD_EVERY === 0) await new Promise(setImmediate);
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / requestsPerRound;
  };
  const on = loggingHooks('info', fd);
  const off = loggingHooks('warn', fd);
  await usPerRequest(on);
  await usPerRequest(off);
  const onUsPerRound: number[] = [];
  const offUsPerRound: number[] = [];
  for (let index = 0; index < rounds; index++) {
    if (index % 2 === 0) {
      onUsPerRound.push(round(await usPerRequest(on), 3));
      offUsPerRound.push(round(await usPerRequest(off), 3));
    } else {
      offUsPerRound.push(round(await usPerRequest(off), 3));
      onUsPerRound.push(round(await usPerRequest(on), 3));
    }
  }
  const costUs = round(median(onUsPerRound.map((value, index) => value - offUsPerRound[index])), 3);
  return { requestsPerRound, onUsPerRound, offUsPerRound, costUs };
}
