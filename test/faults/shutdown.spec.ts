import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { PanzotoClient } from '../../tools/client/panzoto-client';
import { onLoadedMachine } from '../support/deadlines';
import { isolatedTables, PASSWORD } from '../support/test-app';
import { killServices, logLines, productionEnv, startService } from '../support/service-process';

const RECORDING_BYTES = 24 * 1024 * 1024;
/** The client reads this fast, so the response takes ≈ 8 s: far longer than the loopback buffers can hide. */
const READ_BYTES_PER_SECOND = 3 * 1024 * 1024;
const GRACE_MS = 20_000;

/** A consumer that reads at a fixed rate and hashes what it gets. */
function slowReader(): { sink: Writable; received: () => number; digest: () => string } {
  let received = 0;
  const hash = createHash('sha256');
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      hash.update(chunk);
      setTimeout(done, (chunk.length / READ_BYTES_PER_SECOND) * 1000);
    },
  });
  return { sink, received: () => received, digest: () => hash.digest('hex') };
}

describe('SIGTERM while a request is in flight', () => {
  afterEach(killServices);

  it('refuses new connections, closes idle keep-alive ones, finishes the slow response in full, then exits 0', async () => {
    const config = await isolatedTables();
    const service = await startService(productionEnv(config, process.env.DYNAMODB_ENDPOINT as string, { SHUTDOWN_GRACE_MS: String(GRACE_MS) }));
    const client = new PanzotoClient(service.baseUrl);
    const session = await client.register(`drain-${Date.now()}@example.com`, PASSWORD);
    const userKey = await client.unlockUserKey(session, PASSWORD);
    const plaintext = randomBytes(RECORDING_BYTES);
    const file = await client.uploadRecording(session, userKey, { data: plaintext });

    // An idle keep-alive connection, as a load balancer keeps them: it must not hold the exit up.
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    let idleSocketClosedAt = 0;
    await new Promise<void>((resolve, reject) =>
      request(`${service.baseUrl}/api/health`, { agent: keepAlive }, (response) => {
        response.socket.once('close', () => (idleSocketClosedAt = Date.now()));
        response.resume().on('end', resolve);
      })
        .on('error', reject)
        .end(),
    );

    // The slow request: the decrypted recording streamed back, read at READ_BYTES_PER_SECOND.
    const reader = slowReader();
    const body = JSON.stringify({ password: PASSWORD, file_id: file.file_id });
    let status = 0;
    const streamed = new Promise<void>((resolve, reject) => {
      const call = request(
        `${service.baseUrl}/api/decrypt-audio?mode=stream`,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${session.token}` },
        },
        (response) => {
          status = response.statusCode ?? 0;
          pipeline(response, reader.sink).then(resolve, reject);
        },
      );
      call.on('error', reject);
      call.end(body);
    });
    while (reader.received() < 1024 * 1024) await sleep(20);

    const receivedAtSigterm = reader.received();
    const sigtermAt = Date.now();
    service.child.kill('SIGTERM');
    await sleep(300);
    // No new connection is accepted while the old request drains.
    const refused = await fetch(`${service.baseUrl}/api/health`).then(
      () => false,
      (error: { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
    );
    expect(refused).toBe(true);
    expect(service.child.exitCode).toBeNull();

    await streamed;
    const responseEndedAt = Date.now();
    const code = await service.exited;
    const exitedAt = Date.now();

    expect(status).toBe(200);
    expect(reader.received()).toBe(RECORDING_BYTES);
    expect(reader.digest()).toBe(createHash('sha256').update(plaintext).digest('hex'));
    expect(code).toBe(0);
    // The response was genuinely in flight: more than the loopback buffers could hold was still unsent.
    expect(RECORDING_BYTES - receivedAtSigterm).toBeGreaterThan(16 * 1024 * 1024);
    expect(responseEndedAt - sigtermAt).toBeGreaterThan(3000);
    // The idle keep-alive connection was closed at once (while the response still streamed), and the
    // process left right after the response, long before the grace period would have forced it.
    expect(idleSocketClosedAt).toBeGreaterThanOrEqual(sigtermAt);
    expect(idleSocketClosedAt).toBeLessThan(responseEndedAt);
    expect(exitedAt - responseEndedAt).toBeLessThan(GRACE_MS / 4);
    expect(exitedAt - sigtermAt).toBeLessThan(GRACE_MS);
    keepAlive.destroy();

    const lines = logLines(service);
    expect(lines.some((line) => String(line.msg).startsWith('SIGTERM received'))).toBe(true);
    const decryptLine = lines.find((line) => (line.req as { url?: string } | undefined)?.url?.startsWith('/api/decrypt-audio'));
    expect(decryptLine).toMatchObject({ res: { statusCode: 200 } });
    process.stdout.write(
      `drain: SIGTERM after ${(receivedAtSigterm / 1048576).toFixed(1)} MiB of ${RECORDING_BYTES / 1048576} MiB; ` +
        `response finished ${responseEndedAt - sigtermAt} ms later; idle keep-alive closed after ${idleSocketClosedAt - sigtermAt} ms; ` +
        `exit 0 ${exitedAt - responseEndedAt} ms after the response\n`,
    );
  });

  it('exits 1 when a request outlasts SHUTDOWN_GRACE_MS', async () => {
    const config = await isolatedTables();
    const graceMs = 1000;
    const service = await startService(productionEnv(config, process.env.DYNAMODB_ENDPOINT as string, { SHUTDOWN_GRACE_MS: String(graceMs) }));
    // A request whose body never finishes arriving keeps its connection busy.
    const call = request(`${service.baseUrl}/api/login`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': '1000' },
    });
    call.on('error', () => undefined);
    call.write('{"email":');
    await sleep(200);
    const sigtermAt = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(Date.now() - sigtermAt).toBeLessThan(onLoadedMachine(graceMs));
    call.destroy();
  });
});
