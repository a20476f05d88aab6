import { randomBytes } from 'node:crypto';
import { ClientRequest, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DECRYPT_RETRY_AFTER_SECONDS } from '../../src/decrypt/decrypt-slots';
import { PASSWORD, registerUser, RegisteredUser, startTestApp, TestApp, uploadRecording } from '../support/test-app';

const MIB = 1024 * 1024;
const CONCURRENCY = 3;
const PER_ACCOUNT = 2;

/**
 * Decryption within its memory (issue 9 §7): a stream-mode response whose client does not read holds
 * its decryption slot (its body is larger than the socket buffers can take: the receive buffer may
 * grow to 32 MiB here), which makes the bounds observable.
 */
describe('decrypt-audio concurrency bounds (HTTP, DynamoDB Local, s3rver)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  const files = new Map<string, string>();
  const open: ClientRequest[] = [];

  beforeAll(async () => {
    t = await startTestApp({ DECRYPT_CONCURRENCY: String(CONCURRENCY), DECRYPT_CONCURRENCY_PER_ACCOUNT: String(PER_ACCOUNT) });
    [alice, bob, carol] = await Promise.all([registerUser(t.http), registerUser(t.http), registerUser(t.http)]);
    for (const user of [alice, bob]) files.set(user.userId, (await uploadRecording(t, user, randomBytes(48 * MIB))).file_id);
    files.set(carol.userId, (await uploadRecording(t, carol, randomBytes(1000))).file_id);
  });
  afterAll(async () => {
    open.forEach((stalledRequest) => stalledRequest.destroy());
    await t.close();
  });

  /** A stream-mode decryption whose body is left unread: it stays running until the client goes away. */
  const stalled = (user: RegisteredUser): Promise<ClientRequest> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ password: PASSWORD, file_id: files.get(user.userId) });
      const stalledRequest = request(`${t.baseUrl}/api/decrypt-audio?mode=stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      open.push(stalledRequest);
      stalledRequest.on('response', (response) => {
        response.pause();
        if (response.statusCode === 200) resolve(stalledRequest);
        else reject(new Error(`stream decrypt answered ${response.statusCode}`));
      });
      stalledRequest.on('error', () => undefined);
      stalledRequest.end(body);
    });
  const linkDecrypt = (user: RegisteredUser) =>
    t.http
      .post('/api/decrypt-audio')
      .set(user.auth)
      .send({ password: PASSWORD, file_id: files.get(user.userId) });

  it('refuses an account beyond its share (429) and anyone beyond the process bound (503), with Retry-After, until slots free up', async () => {
    const alices = [await stalled(alice), await stalled(alice)];
    const ownShare = await linkDecrypt(alice).expect(429);
    expect(ownShare.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', error: expect.stringContaining(`${PER_ACCOUNT} decryptions running`) });
    expect(ownShare.headers['retry-after']).toBe(String(DECRYPT_RETRY_AFTER_SECONDS));

    const bobs = await stalled(bob);
    const busy = await linkDecrypt(carol).expect(503);
    expect(busy.body).toMatchObject({ code: 'SERVER_BUSY', request_id: expect.any(String) });
    expect(busy.headers['retry-after']).toBe(String(DECRYPT_RETRY_AFTER_SECONDS));
    // Refused before the password is checked: no failure is counted, no storage is read.
    await t.http
      .post('/api/decrypt-audio')
      .set(carol.auth)
      .send({ password: 'wrong', file_id: files.get(carol.userId) })
      .expect(503);

    // Clients that go away give their slots back.
    alices.forEach((stalledRequest) => stalledRequest.destroy());
    const deadline = Date.now() + 10 * DECRYPT_RETRY_AFTER_SECONDS * 1000;
    let status = 0;
    while (Date.now() < deadline && (status = (await linkDecrypt(carol)).status) !== 200) await sleep(200);
    expect(status).toBe(200);
    await linkDecrypt(alice).expect(200);
    bobs.destroy();
  });
});
