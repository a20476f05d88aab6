import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_SECURITY_HEADERS } from '../../src/common/http/security-headers';
import { parseRawResponse, rawExchange, RawResponse } from '../support/raw-http';
import { startTestApp, TestApp } from '../support/test-app';

/** Deadlines of these tests: the configured timeout plus this factor of it, for a loaded machine. */
const GENEROUS = 5;
const REQUEST_TIMEOUT_MS = 2000;
const HEADERS_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 3000;

/** The envelope and the headers every response the service writes must carry, whoever wrote it. */
function expectEnvelope(
  response: { status: number; headers: Record<string, string | string[] | undefined>; body: unknown },
  status: number,
  code: string,
): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const requestId = response.headers['x-request-id'];
  expect(requestId).toEqual(expect.any(String));
  expect(response.body).toEqual({ error: expect.any(String), code, request_id: requestId });
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) expect([name, response.headers[name]]).toEqual([name, value]);
}

const parsed = (response: RawResponse) => ({ ...response, body: JSON.parse(response.body) as unknown });

describe('responses the HTTP layer writes itself (HTTP, raw sockets)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    });
  });
  afterAll(() => t.close());

  const send = (text: string) => rawExchange(t.baseUrl, (socket) => socket.write(text), REQUEST_TIMEOUT_MS * GENEROUS);

  it('431 for oversized headers', async () => {
    const response = await send(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expectEnvelope(parsed(response), 431, 'HEADERS_TOO_LARGE');
    expect(response.headers.connection).toBe('close');
  });

  it('400 for malformed HTTP', async () => {
    expectEnvelope(parsed(await send('NOT HTTP AT ALL\r\n\r\n')), 400, 'BAD_REQUEST');
    expectEnvelope(
      parsed(await send('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n')),
      400,
      'BAD_REQUEST',
    );
  });

  it('400 for an HTTP/1.1 request without Host, 417 for an Expect header other than 100-continue', async () => {
    expectEnvelope(parsed(await send('GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n')), 400, 'BAD_REQUEST');
    expectEnvelope(parsed(await send('GET /api/health HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n')), 417, 'BAD_REQUEST');
  });

  it('400 for a malformed URL and for an overlong path parameter, answered before any hook runs', async () => {
    expectEnvelope(await t.http.get('/api/audio-files/%E0%A4%A'), 400, 'BAD_REQUEST');
    expectEnvelope(await t.http.get(`/api/audio-files/${'a'.repeat(500)}`), 400, 'BAD_REQUEST');
  });

  it('404 for an unknown route, under /api and elsewhere', async () => {
    expectEnvelope(await t.http.get('/api/no-such-route'), 404, 'ROUTE_NOT_FOUND');
    expectEnvelope(await t.http.post('/nowhere').send({}), 404, 'ROUTE_NOT_FOUND');
  });

  it('405 with Allow for a known path and a wrong method', async () => {
    const response = await t.http.put('/api/health');
    expectEnvelope(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('GET, HEAD');
    const login = await t.http.get('/api/login');
    expectEnvelope(login, 405, 'METHOD_NOT_ALLOWED');
    expect(login.headers.allow).toBe('POST');
    const file = await t.http.post('/api/audio-files/00000000-0000-4000-8000-000000000000');
    expect(file.headers.allow).toBe('GET, HEAD, DELETE');
  });

  it('400 for invalid JSON, 400 for a non-JSON content type, 413 for a body over the limit', async () => {
    expectEnvelope(await t.http.post('/api/login').set('Content-Type', 'application/json').send('{"email":'), 400, 'INVALID_JSON');
    expectEnvelope(await t.http.post('/api/login').set('Content-Type', 'text/plain').send('email=a'), 400, 'UNSUPPORTED_MEDIA_TYPE');
    const tooLarge = await t.http
      .post('/api/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(t.config.http.bodyLimitBytes) }));
    expectEnvelope(tooLarge, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('408 for a body trickling in one byte a second, within the request timeout', async () => {
    let timer: NodeJS.Timeout | undefined;
    const trickle = (socket: Socket) => {
      socket.write('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
      timer = setInterval(() => socket.writable && socket.write('{'), 1000);
    };
    try {
      const response = await rawExchange(t.baseUrl, trickle, REQUEST_TIMEOUT_MS * GENEROUS);
      expectEnvelope(parsed(response), 408, 'REQUEST_TIMEOUT');
      expect(response.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    } finally {
      clearInterval(timer);
    }
  });

  it('408 for headers that never end, and for a connection that sends nothing, within the headers timeout', async () => {
    const partial = await rawExchange(t.baseUrl, (socket) => socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n'), HEADERS_TIMEOUT_MS * GENEROUS);
    expectEnvelope(parsed(partial), 408, 'REQUEST_TIMEOUT');
    const idle = await rawExchange(t.baseUrl, () => undefined, HEADERS_TIMEOUT_MS * GENEROUS);
    expectEnvelope(parsed(idle), 408, 'REQUEST_TIMEOUT');
    expect(idle.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
  });

  it('keeps an idle keep-alive connection for the keep-alive timeout, then closes it', async () => {
    const response = await rawExchange(
      t.baseUrl,
      (socket) => socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n'),
      KEEP_ALIVE_TIMEOUT_MS * GENEROUS,
    );
    expect(response.status).toBe(200);
    // Longer than the headers timeout: between requests only the keep-alive timeout applies.
    expect(response.closedAfterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 100);
  });
});

describe('a request on a kept-alive connection while the service shuts down (HTTP, raw socket)', () => {
  it('is served, with Connection: close, instead of a bare 503', async () => {
    const draining = await startTestApp();
    const server = draining.app.getHttpServer();
    const { hostname, port } = new URL(draining.baseUrl);
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = once(socket, 'close');
    // A request in progress keeps the connection open through the shutdown.
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'whatever-123' });
    const started = once(server, 'request');
    socket.write(
      `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await started;
    const closing = draining.close();
    while (server.listening) await sleep(10);
    socket.write(`${body.slice(5)}GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n`);
    await Promise.all([closed, closing]);
    const text = Buffer.concat(chunks).toString('utf8');
    const second = parseRawResponse(text.slice(text.indexOf('HTTP/1.1', 1)), 0);
    expect(second.status).toBe(200);
    expect(second.headers.connection).toBe('close');
    expect(JSON.parse(second.body)).toMatchObject({ status: 'healthy' });
  });
});
