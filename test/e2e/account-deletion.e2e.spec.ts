import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountsService } from '../../src/accounts/accounts.service';
import { accountTraces, PopulatedAccount, populatedAccount, tracesOnceSwept } from '../support/accounts';
import { PASSWORD, registerUser, startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

/** Short, so that the test sees an upload URL issued before the deletion expire and the final sweep run. */
const UPLOAD_URL_TTL_SECONDS = 10;
const SWEEP_DELAY_SECONDS = 12;
const SWEEP_INTERVAL_SECONDS = 1;
/** The final sweep is due SWEEP_DELAY after the mark and starts within an interval; the rest is margin for a loaded 2-core machine. */
const SWEPT_WITHIN_MS = (SWEEP_DELAY_SECONDS + SWEEP_INTERVAL_SECONDS) * 1000 + 30_000;
const UPLOADERS = 4;
const NOTHING = { items: [], objects: [] };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Fails the request once the chosen write of it has committed: a DynamoDB write (but the rate-limit
 * counters) or an S3 deletion, counted from `arm`. The error is a timeout, which the service answers
 * with 503, as after a real outage that struck between two steps.
 */
class FaultAfterWrite {
  private remaining = 0;
  fired = false;
  /** Every DynamoDB call (SDK retries aside), for the cost figures of docs/data-model.md. */
  dynamoDbCalls = 0;

  constructor(t: TestApp) {
    const rateLimits = t.config.dynamodb.tables.rateLimits;
    const dynamoDb = t.app.get(DynamoDBClient);
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        this.dynamoDbCalls++;
        const result = await next(args);
        const write = /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(context.commandName ?? '');
        if (write && !JSON.stringify(args.input).includes(rateLimits)) this.committed(context.commandName as string);
        return result;
      },
      { step: 'initialize', name: 'faultAfterWrite' },
    );
    t.app.get(S3Client).middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (/^Delete/.test(context.commandName ?? '')) this.committed(context.commandName as string);
        return result;
      },
      { step: 'initialize', name: 'faultAfterWrite' },
    );
  }

  arm(afterWrites: number): void {
    this.remaining = afterWrites;
    this.fired = false;
  }

  disarm(): void {
    this.remaining = 0;
  }

  private committed(command: string): void {
    if (this.remaining === 0 || --this.remaining > 0) return;
    this.fired = true;
    throw Object.assign(new Error(`simulated timeout after ${command} committed`), { name: 'TimeoutError' });
  }
}

describe('DELETE /api/user under faults (HTTP, DynamoDB Local, s3rver)', () => {
  let t: TestApp;
  let faults: FaultAfterWrite;

  beforeAll(async () => {
    t = await startTestApp({
      AUTH_CACHE_TTL_MS: '0',
      UPLOAD_URL_TTL_SECONDS: String(UPLOAD_URL_TTL_SECONDS),
      ACCOUNT_SWEEP_DELAY_SECONDS: String(SWEEP_DELAY_SECONDS),
      // The sweep is run by the test below, so that only the deletion's own writes are counted.
      ACCOUNT_SWEEP_INTERVAL_SECONDS: '0',
    });
    faults = new FaultAfterWrite(t);
  });
  afterAll(() => t.close());

  it('after a mark, an old access token gets 410 ACCOUNT_DELETED for upload URLs, registration, refresh, decryption, password, email and recovery-code changes; login fails', async () => {
    const user = await populatedAccount(t);
    const device = bearer(user.otherDevice.token);
    const slot = await t.http.post('/api/audio-files/upload-url').set(device).send({ file_size: 256 }).expect(201);
    expect((await fetch(slot.body.upload_url, { method: 'PUT', body: randomBytes(256) })).status).toBe(200);
    const file = (await t.http.get('/api/user/audio-files').set(device).expect(200)).body.audio_files[0];

    faults.arm(1);
    await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }).expect(503);
    faults.disarm();
    expect(faults.fired).toBe(true);

    const refused = async (request: PromiseLike<{ status: number; body: { code?: string } }>) => {
      const response = await request;
      return { status: response.status, code: response.body.code };
    };
    const gone = { status: 410, code: 'ACCOUNT_DELETED' };
    expect(await refused(t.http.post('/api/audio-files/upload-url').set(device).send({ file_size: 256 }))).toEqual(gone);
    expect(await refused(t.http.post('/api/audio-file').set(device).send({ s3_key: slot.body.s3_key }))).toEqual(gone);
    expect(await refused(t.http.post('/api/auth/refresh').send({ refresh_token: user.otherDevice.refresh_token }))).toEqual(gone);
    expect(await refused(t.http.post('/api/decrypt-audio').set(device).send({ password: PASSWORD, file_id: file.file_id }))).toEqual(gone);
    expect(
      await refused(t.http.put('/api/user/password').set(device).send({ current_password: PASSWORD, new_password: 'An0ther-Secure-Passphrase' })),
    ).toEqual(gone);
    expect(
      await refused(
        t.http
          .post('/api/user/email')
          .set(device)
          .send({ password: PASSWORD, new_email: `moved-${randomUUID()}@example.com` }),
      ),
    ).toEqual(gone);
    expect(await refused(t.http.put('/api/user/recovery-code').set(device).send({ password: PASSWORD }))).toEqual(gone);
    expect(
      await refused(
        t.http.post('/api/user/recovery-code/redeem').set(device).send({ password: PASSWORD, recovery_code: '7K3M-Q9XD-2F8H-WJ4N-ZB6T-1PCR-5YVA' }),
      ),
    ).toEqual(gone);
    expect(await refused(t.http.post('/api/user/email/verification').set(device).send({}))).toEqual(gone);
    expect(await refused(t.http.post('/api/login').send({ email: user.email, password: PASSWORD }))).toEqual({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });

    await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }).expect(204);
  });

  it('costs what docs/data-model.md says: upload-url G + 3, registration G + 3, deletion G + 11 + f + j + (s − 1), its repeat G + 1', async () => {
    const user = await populatedAccount(t);
    const cost = async (request: PromiseLike<{ status: number }>, status: number) => {
      const before = faults.dynamoDbCalls;
      expect((await request).status).toBe(status);
      return faults.dynamoDbCalls - before;
    };
    const slot = await t.http.post('/api/audio-files/upload-url').set(user.auth).send({ file_size: 64 });
    expect(await cost(t.http.post('/api/audio-files/upload-url').set(user.auth).send({ file_size: 64 }), 201)).toBe(1 + 3);
    await fetch(slot.body.upload_url, { method: 'PUT', body: randomBytes(64) });
    // The registration reads the account for the key id new recordings are stored under.
    expect(await cost(t.http.post('/api/audio-file').set(user.auth).send({ s3_key: slot.body.s3_key }), 201)).toBe(1 + 3);
    // s = 2 sessions, f = 3 files, j = 1 job; G = 1 (AUTH_CACHE_TTL_MS=0).
    expect(await cost(t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }), 204)).toBe(1 + 11 + 3 + 1 + (2 - 1));
    expect(await cost(t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }), 204)).toBe(1 + 1);
  });

  it('a fault after any write of the deletion answers 503; the same token then finishes it with 204, and the final sweep leaves nothing', async () => {
    const deleted: PopulatedAccount[] = [];
    let write = 1;
    for (; write < 40; write++) {
      const user = await populatedAccount(t);
      deleted.push(user);
      faults.arm(write);
      const first = await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD });
      faults.disarm();
      if (!faults.fired) {
        expect(first.status).toBe(204);
        break;
      }
      expect({ write, status: first.status }).toEqual({ write, status: 503 });
      const retry = await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD });
      expect({ write, status: retry.status }).toEqual({ write, status: 204 });
      // A repeat of a finished deletion is 204 too (its answer may have been lost).
      await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }).expect(204);
      const left = await accountTraces(t, user);
      expect({ write, objects: left.objects, items: left.items.length }).toEqual({ write, objects: [], items: 2 });
    }
    // Mark, recordings, decrypted copies, two records, the job, the other session, the release.
    expect(write).toBe(9);

    const sweepDue = new Date(Date.now() + (SWEEP_DELAY_SECONDS + 1) * 1000);
    let swept = 0;
    for (
      let batch = await t.app.get(AccountsService).sweepDueDeletions(sweepDue);
      batch > 0;
      batch = await t.app.get(AccountsService).sweepDueDeletions(sweepDue)
    ) {
      swept += batch;
    }
    // These accounts and the ones of the tests before.
    expect(swept).toBe(deleted.length + 2);
    for (const user of deleted) expect(await accountTraces(t, user)).toEqual(NOTHING);
    // The caller's session went with the sweep.
    await t.http.get('/api/user/me').set(deleted[0].auth).expect(401);
  }, 180_000);
});

describe('DELETE /api/user racing four uploaders on two instances (HTTP, DynamoDB Local, s3rver)', () => {
  let t: TestApp;
  let other: Awaited<ReturnType<typeof startAnotherInstance>>;

  beforeAll(async () => {
    t = await startTestApp({
      UPLOAD_URL_TTL_SECONDS: String(UPLOAD_URL_TTL_SECONDS),
      ACCOUNT_SWEEP_DELAY_SECONDS: String(SWEEP_DELAY_SECONDS),
      ACCOUNT_SWEEP_INTERVAL_SECONDS: String(SWEEP_INTERVAL_SECONDS),
    });
    other = await startAnotherInstance();
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  it('leaves 0 items and 0 objects of the account once the URL lifetime has passed, an old URL’s late upload included', async () => {
    const owner = await registerUser(t.http);
    const bystander = await registerUser(t.http);
    const devices = await Promise.all(
      Array.from(
        { length: UPLOADERS },
        async () => (await t.http.post('/api/login').send({ email: owner.email, password: PASSWORD }).expect(200)).body.token as string,
      ),
    );
    const statuses: number[] = [];
    let registered = 0;
    /** What the phone does in a loop: upload-url → PUT → register, until the service refuses. */
    const uploader = async (token: string, http: typeof t.http): Promise<void> => {
      for (let i = 0; i < 500; i++) {
        const slot = await http.post('/api/audio-files/upload-url').set(bearer(token)).send({ file_size: 1024 });
        statuses.push(slot.status);
        if (slot.status !== 201) return;
        expect((await fetch(slot.body.upload_url, { method: 'PUT', body: randomBytes(1024) })).status).toBe(200);
        const registration = await http.post('/api/audio-file').set(bearer(token)).send({ s3_key: slot.body.s3_key });
        statuses.push(registration.status);
        if (registration.status === 201) registered++;
      }
    };
    let ended = 0;
    const uploading = devices.map((token, index) => uploader(token, index % 2 === 0 ? t.http : other.http).finally(() => ended++));
    while (registered < 2 * UPLOADERS && ended === 0) await sleep(20);
    expect(ended).toBe(0);

    const issuedBefore = await t.http.post('/api/audio-files/upload-url').set(owner.auth).send({ file_size: 512 }).expect(201);
    const deletedAt = Date.now();
    await t.http.delete('/api/user').set(owner.auth).send({ password: PASSWORD }).expect(204);
    await Promise.all(uploading);

    // The URL issued before the deletion still stores an object afterwards; it can't be registered.
    const objectsBefore = (await accountTraces(t, owner)).objects.length;
    expect((await fetch(issuedBefore.body.upload_url, { method: 'PUT', body: randomBytes(512) })).status).toBe(200);
    expect((await accountTraces(t, owner)).objects).toHaveLength(objectsBefore + 1);
    const late = await t.http.post('/api/audio-file').set(owner.auth).send({ s3_key: issuedBefore.body.s3_key });
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 410, code: 'ACCOUNT_DELETED' });

    // Every request either succeeded before the mark or was refused (a registration whose object the sweep
    // had already deleted: 404 OBJECT_NOT_FOUND); never a 5xx.
    expect(statuses.filter((status) => ![201, 401, 404, 410].includes(status))).toEqual([]);
    expect(statuses.filter((status) => status === 410).length + statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(UPLOADERS);

    expect(await tracesOnceSwept(t, owner, deletedAt + SWEPT_WITHIN_MS)).toEqual(NOTHING);
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(UPLOAD_URL_TTL_SECONDS * 1000);
    expect((await accountTraces(t, bystander)).items.length).toBeGreaterThan(0);
  }, 180_000);
});
