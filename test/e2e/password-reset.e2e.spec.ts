import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { newAccountToken } from '../../src/recovery/account-tokens/account-token';
import { AccountTokensRepository } from '../../src/recovery/account-tokens/account-tokens.repository';
import type { Session } from '../../tools/client/panzoto-client';
import { BackgroundTasks } from '../../src/common/util/background-tasks';
import { mailsTo, tokenIn, waitForMails } from '../support/mailbox';
import { PASSWORD, registerUser, RegisteredUser, startTestApp, TestApp } from '../support/test-app';

const NEW_PASSWORD = 'A-Brand-New-Passphrase-42';
const RESET_SUBJECT = /^Reset your Panzoto password$/;
const resetMailsTo = async (email: string) => (await mailsTo(email)).filter((mail) => RESET_SUBJECT.test(mail.subject));

describe('forgot password and reset, through the real local mail server (MailDev)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_CACHE_TTL_MS: '0', APP_LINK_BASE_URL: 'panzoto://app' });
  });
  afterAll(() => t.close());

  const decrypt = (token: string, password: string, fileId: string) =>
    t.http.post('/api/decrypt-audio?mode=stream').set('Authorization', `Bearer ${token}`).send({ password, file_id: fileId });
  const login = (email: string, password: string) => t.http.post('/api/login').send({ email, password });
  /** Asks for a reset and returns the token of the `count`-th reset mail to the address. */
  const resetToken = async (email: string, count = 1): Promise<string> => {
    await t.http.post('/api/auth/forgot-password').send({ email }).expect(202);
    const mails = await waitForMails(email, { count, subject: RESET_SUBJECT });
    return tokenIn(mails[count - 1]);
  };
  const recordingOf = async (user: RegisteredUser | { session: Session; userId: string }, password: string, plaintext: Buffer) =>
    t.client.uploadRecording(user.session, await t.client.unlockUserKey(user.session, password), { data: plaintext });

  it('register → forget → reset with the recovery code: a recording made before still decrypts; every session ended', async () => {
    const user = await registerUser(t.http);
    const recording = randomBytes(30_000);
    const file = await recordingOf(user, PASSWORD, recording);

    const token = await resetToken(user.email);
    const [mail] = await resetMailsTo(user.email);
    expect(mail.text).toContain(`panzoto://app/reset-password?token=${token}`);
    expect(mail.html).toContain(`href="panzoto://app/reset-password?token=${token}"`);

    // The reference client's reset, with the code as a person might type it back.
    const reset = await t.client.resetPassword(token, NEW_PASSWORD, (user.session.recovery_code as string).toLowerCase());
    expect(reset).toEqual({ all_recordings_readable: true, locked_key_ids: [] });

    await t.http.get('/api/user/me').set(user.auth).expect(401);
    await t.http.post('/api/auth/refresh').send({ refresh_token: user.session.refresh_token }).expect(401);
    await login(user.email, PASSWORD).expect(401);
    const session = await login(user.email, NEW_PASSWORD).expect(200);
    expect(session.body.encryption.key_id).toBe(1);
    const decrypted = await decrypt(session.body.token, NEW_PASSWORD, file.file_id).expect(200);
    expect(Buffer.from(decrypted.body).equals(recording)).toBe(true);
    // The client unlocks the same user key with the new password.
    expect((await t.client.unlockUserKey(session.body, NEW_PASSWORD)).equals(await t.client.unlockUserKey(user.session, PASSWORD))).toBe(true);
  });

  it('reset without the code: old recordings locked, new ones work, and the code entered later unlocks the old ones', async () => {
    const user = await registerUser(t.http);
    const oldCode = user.session.recovery_code as string;
    const before = randomBytes(20_000);
    const oldFile = await recordingOf(user, PASSWORD, before);

    const token = await resetToken(user.email);
    const reset = await t.http.post('/api/auth/reset-password').send({ token, new_password: NEW_PASSWORD }).expect(200);
    expect(reset.body).toEqual({ all_recordings_readable: false, locked_key_ids: [1] });
    await t.http.get('/api/user/me').set(user.auth).expect(401);

    const signedIn = await login(user.email, NEW_PASSWORD).expect(200);
    const session = signedIn.body as Session & { token: string };
    const auth = { Authorization: `Bearer ${session.token}` };
    // A new key for new recordings, and a code for it offered at once.
    expect(session.encryption.key_id).toBe(2);
    expect(session.recovery_code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/);
    const newCode = session.recovery_code as string;

    const listed = await t.http.get('/api/user/audio-files').set(auth).expect(200);
    expect(listed.body.audio_files).toEqual([expect.objectContaining({ file_id: oldFile.file_id, key_id: 1, locked: true })]);
    await t.http
      .get(`/api/audio-files/${oldFile.file_id}`)
      .set(auth)
      .expect(200)
      .expect(({ body }) => expect(body.audio_file.locked).toBe(true));
    const locked = await decrypt(session.token, NEW_PASSWORD, oldFile.file_id).expect(423);
    expect(locked.body).toMatchObject({ code: 'RECORDING_LOCKED', request_id: expect.any(String) });
    // The wrong password is still a 401, not a hint about the lock.
    await decrypt(session.token, PASSWORD, oldFile.file_id).expect(401);

    const after = randomBytes(10_000);
    const newFile = await recordingOf({ session, userId: user.userId }, NEW_PASSWORD, after);
    expect(newFile).toMatchObject({ key_id: 2, locked: false });
    expect(Buffer.from((await decrypt(session.token, NEW_PASSWORD, newFile.file_id).expect(200)).body).equals(after)).toBe(true);

    // The new code opens no locked key; a wrong password is refused before any code is tried.
    const wrongCode = await t.http
      .post('/api/user/recovery-code/redeem')
      .set(auth)
      .send({ recovery_code: newCode, password: NEW_PASSWORD })
      .expect(400);
    expect(wrongCode.body.code).toBe('INVALID_RECOVERY_CODE');
    await t.http.post('/api/user/recovery-code/redeem').set(auth).send({ recovery_code: oldCode, password: PASSWORD }).expect(401);

    const redeemed = { body: await t.client.redeemRecoveryCode(session, oldCode, NEW_PASSWORD) };
    expect(redeemed.body.unlocked_key_ids).toEqual([1]);
    expect(redeemed.body.recovery_code).not.toBe(oldCode);
    expect(Buffer.from((await decrypt(session.token, NEW_PASSWORD, oldFile.file_id).expect(200)).body).equals(before)).toBe(true);
    const relisted = await t.http.get('/api/user/audio-files').set(auth).expect(200);
    expect(relisted.body.audio_files.map((file: { locked: boolean }) => file.locked)).toEqual([false, false]);
    // Used once: the old code unlocks nothing more.
    await t.http.post('/api/user/recovery-code/redeem').set(auth).send({ recovery_code: oldCode, password: NEW_PASSWORD }).expect(400);

    // The code handed out now covers both keys: a later reset with it keeps every recording.
    const again = await resetToken(user.email, 2);
    await t.http
      .post('/api/auth/reset-password')
      .send({ token: again, new_password: PASSWORD, recovery_code: redeemed.body.recovery_code })
      .expect(200, { all_recordings_readable: true, locked_key_ids: [] });
    const last = await login(user.email, PASSWORD).expect(200);
    for (const [file, plaintext] of [
      [oldFile, before],
      [newFile, after],
    ] as const) {
      expect(Buffer.from((await decrypt(last.body.token, PASSWORD, file.file_id).expect(200)).body).equals(plaintext)).toBe(true);
    }
  });

  it('tokens are single use, expire, and go stale when the password changes; a wrong code leaves the token usable', async () => {
    const user = await registerUser(t.http);
    const token = await resetToken(user.email);
    const wrong = await t.http
      .post('/api/auth/reset-password')
      .send({ token, new_password: NEW_PASSWORD, recovery_code: 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA' })
      .expect(400);
    expect(wrong.body.code).toBe('INVALID_RECOVERY_CODE');
    await login(user.email, PASSWORD).expect(200);
    await t.http.post('/api/auth/reset-password').send({ token, new_password: NEW_PASSWORD }).expect(200);
    const reused = await t.http.post('/api/auth/reset-password').send({ token, new_password: PASSWORD }).expect(400);
    expect(reused.body.code).toBe('INVALID_TOKEN');
    await login(user.email, NEW_PASSWORD).expect(200);

    // Two links, one used: the other is stale, since the password changed after it was mailed.
    const first = await resetToken(user.email, 2);
    const second = await resetToken(user.email, 3);
    await t.http.post('/api/auth/reset-password').send({ token: second, new_password: PASSWORD }).expect(200);
    await t.http.post('/api/auth/reset-password').send({ token: first, new_password: 'Yet-Another-Password-1' }).expect(400);

    // An expired token is refused though it is still stored.
    const signedIn = await login(user.email, PASSWORD).expect(200);
    const { token: expired, stored } = newAccountToken(
      { purpose: 'password-reset', userId: user.userId, email: user.email, keyringVersion: 0 },
      Date.now() - 31 * 60_000,
    );
    await t.app.get(AccountTokensRepository).save(stored);
    await t.http.post('/api/auth/reset-password').send({ token: expired, new_password: NEW_PASSWORD }).expect(400);
    expect(signedIn.body.token).toBeDefined();
    // A forged token is the same 400; a malformed one is a validation error.
    await t.http
      .post('/api/auth/reset-password')
      .send({ token: randomBytes(32).toString('base64url'), new_password: NEW_PASSWORD })
      .expect(400, /INVALID_TOKEN/);
    await t.http
      .post('/api/auth/reset-password')
      .send({ token: 'x'.repeat(5000), new_password: NEW_PASSWORD })
      .expect(400, /VALIDATION_FAILED/);
  });

  it('concurrent uses of one token: exactly one reset happens', async () => {
    const user = await registerUser(t.http);
    const token = await resetToken(user.email);
    const statuses = await Promise.all(
      ['Concurrent-Password-1', 'Concurrent-Password-2', 'Concurrent-Password-3'].map((new_password) =>
        t.http
          .post('/api/auth/reset-password')
          .send({ token, new_password })
          .then((response) => response.status),
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 400 || status === 409)).toBe(true);
  });

  it('nothing tells an account from none: same answer, no mail, and no timing difference', async () => {
    const user = await registerUser(t.http);
    const nobody = `nobody-${randomUUID()}@example.com`;
    const known = await t.http.post('/api/auth/forgot-password').send({ email: user.email }).expect(202);
    const unknown = await t.http.post('/api/auth/forgot-password').send({ email: nobody }).expect(202);
    expect(unknown.body).toEqual(known.body);
    await t.app.get(BackgroundTasks).settled();
    expect(await mailsTo(nobody)).toEqual([]);
    expect(await resetMailsTo(user.email)).toHaveLength(1);

    // Alternating requests, each after the previous one's background work ended: the answer never
    // waits for the lookup, the token or the mail, so the medians differ by noise only.
    const timings: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let round = 0; round < 12; round++) {
      for (const [kind, email] of [
        ['known', user.email],
        ['unknown', nobody],
      ] as const) {
        const started = performance.now();
        await t.http.post('/api/auth/forgot-password').send({ email }).expect(202);
        timings[kind].push(performance.now() - started);
        await t.app.get(BackgroundTasks).settled();
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const [knownMedian, unknownMedian] = [median(timings.known), median(timings.unknown)];
    // Generous: a loaded 2-core machine adds noise, but sending a mail in the request (an SMTP round
    // trip plus two DynamoDB writes) would stand out against the few milliseconds of the rest.
    expect(Math.abs(knownMedian - unknownMedian)).toBeLessThan(Math.max(knownMedian, unknownMedian) * 0.5 + 5);
  });

  it('mails only addresses that are verified or registered within 24 hours', async () => {
    const user = await registerUser(t.http);
    await t.documents.send(
      new UpdateCommand({
        TableName: t.config.dynamodb.tables.users,
        Key: { user_id: user.userId },
        UpdateExpression: 'SET created_at = :old',
        ExpressionAttributeValues: { ':old': Date.now() - 25 * 3600_000 },
      }),
    );
    await t.http.post('/api/auth/forgot-password').send({ email: user.email }).expect(202);
    await t.app.get(BackgroundTasks).settled();
    expect(await resetMailsTo(user.email)).toEqual([]);

    await t.documents.send(
      new UpdateCommand({
        TableName: t.config.dynamodb.tables.users,
        Key: { user_id: user.userId },
        UpdateExpression: 'SET email_verified = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
    await resetToken(user.email);
  });
});

describe('forgot password rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ACCOUNT_FAILURES: '3' });
  });
  afterAll(() => t.close());

  it('limits requests per address (429 alike for accounts and none) and mails per account', async () => {
    const user = await registerUser(t.http);
    const nobody = `nobody-${randomUUID()}@example.com`;
    for (const email of [user.email, nobody]) {
      for (let attempt = 0; attempt < 3; attempt++) await t.http.post('/api/auth/forgot-password').send({ email }).expect(202);
      const limited = await t.http.post('/api/auth/forgot-password').send({ email }).expect(429);
      expect(limited.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    }
    await t.app.get(BackgroundTasks).settled();
    expect(await resetMailsTo(user.email)).toHaveLength(3);
  });
});
