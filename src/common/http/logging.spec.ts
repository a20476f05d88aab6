import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import { BatchedLines, RequestLines } from './logging';

describe('RequestLines', () => {
  const request = (url: string): FastifyRequest => ({ id: 'req-1', method: 'GET', url }) as FastifyRequest;
  function capture(level: string): { lines: string[]; requestLines: RequestLines } {
    const lines: string[] = [];
    return { lines, requestLines: new RequestLines(level, { write: (line: string) => lines.push(line) }) };
  }

  it('writes the line pino would, as one line per request', () => {
    const { lines, requestLines } = capture('info');
    const pinoLines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => pinoLines.push(line) });
    requestLines.write(request('/api/health'), 200, 1.25);
    requestLines.write(request('/api/nothing'), 404, 0.5);
    requestLines.write(request('/api/broken'), 503, 12);
    logger.info(
      { req: { id: 'req-1', method: 'GET', url: '/api/health' }, request_id: 'req-1', res: { statusCode: 200 }, responseTime: 1.25 },
      'request completed',
    );
    logger.warn(
      { req: { id: 'req-1', method: 'GET', url: '/api/nothing' }, request_id: 'req-1', res: { statusCode: 404 }, responseTime: 0.5 },
      'request completed',
    );
    logger.error(
      { req: { id: 'req-1', method: 'GET', url: '/api/broken' }, request_id: 'req-1', res: { statusCode: 503 }, responseTime: 12 },
      'request errored',
    );

    const withoutTime = (line: string): unknown => ({ ...(JSON.parse(line) as object), time: undefined });
    expect(lines.map(withoutTime)).toEqual(pinoLines.map(withoutTime));
    expect(lines.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });

  it('escapes whatever the URL holds', () => {
    const { lines, requestLines } = capture('info');
    const url = '/api/x?q="},"level":60,"evil":"\n\u0000\u2028';
    requestLines.write(request(url), 200, 1);
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0]) as { req: { url: string }; level: number }).req.url).toBe(url);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 30 });
  });

  it('writes only the levels LOG_LEVEL lets through', () => {
    const warn = capture('warn');
    warn.requestLines.write(request('/a'), 200, 1);
    warn.requestLines.write(request('/b'), 400, 1);
    expect(warn.lines.map((line) => (JSON.parse(line) as { req: { url: string } }).req.url)).toEqual(['/b']);
    const silent = capture('silent');
    silent.requestLines.write(request('/c'), 500, 1);
    expect(silent.lines).toEqual([]);
  });
});

describe('BatchedLines', () => {
  function recorder(): { chunks: string[]; synced: number; write(chunk: string): void; flushSync(): void } {
    return {
      chunks: [],
      synced: 0,
      write(chunk) {
        this.chunks.push(chunk);
      },
      flushSync() {
        this.synced++;
      },
    };
  }

  it('writes the lines in order, one chunk once a batch is full', () => {
    const out = recorder();
    const lines = new BatchedLines(out, 10);
    lines.write('one\n');
    lines.write('two\n');
    expect(out.chunks).toEqual([]);
    lines.write('three\n');
    expect(out.chunks).toEqual(['one\ntwo\nthree\n']);
    lines.write('four\n');
    expect(out.chunks).toEqual(['one\ntwo\nthree\n']);
  });

  it('writes a partial batch when flushed, and nothing when empty', () => {
    const out = recorder();
    const lines = new BatchedLines(out, 4096);
    lines.flush();
    expect(out.chunks).toEqual([]);
    lines.write('one\n');
    lines.flush();
    expect(out.chunks).toEqual(['one\n']);
  });

  it('hands what is queued to the stream and flushes it synchronously at exit', () => {
    const out = recorder();
    const lines = new BatchedLines(out, 4096);
    lines.write('last\n');
    lines.flushSync();
    expect(out.chunks).toEqual(['last\n']);
    expect(out.synced).toBe(1);
  });
});
