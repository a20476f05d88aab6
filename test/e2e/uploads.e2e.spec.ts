import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomBytes } from 'node:crypto';
import {
  awayFromWindowEdge,
  getObject,
  listKeys,
  putThrough,
  registerUser,
  RegisteredUser,
  scanAll,
  startTestApp,
  TestApp,
} from '../support/test-app';

const MAX_RECORDING_BYTES = 1024 * 1024;
const PER_ACCOUNT = 3;
const PER_IP = 4;

/**
 * Storage abuse (issue 9 §6). s3rver does not check signatures, so what S3 would enforce is tested in
 * the URL itself (its signed headers and signature), and everything else end to end.
 */
describe('upload URLs and registration under abuse (HTTP, DynamoDB Local, s3rver)', () => {
  let t: TestApp;
  let alice: RegisteredUser;

  beforeAll(async () => {
    t = await startTestApp({
      MAX_RECORDING_BYTES: String(MAX_RECORDING_BYTES),
      UPLOAD_URLS_PER_ACCOUNT_PER_HOUR: String(PER_ACCOUNT),
      UPLOAD_URLS_PER_IP_PER_HOUR: String(PER_IP),
      // Each test speaks from its own client address (X-Forwarded-For), so address budgets do not mix.
      TRUSTED_PROXY_HOPS: '1',
    });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    alice = await registerUser(t.http);
  });

  let addresses = 0;
  const newAddress = (): string => `198.51.100.${++addresses}`;
  const uploadUrl = (user: RegisteredUser, body: object, address = newAddress()) =>
    t.http.post('/api/audio-files/upload-url').set(user.auth).set('X-Forwarded-For', address).send(body);
  const register = (user: RegisteredUser, s3Key: string) => t.http.post('/api/audio-file').set(user.auth).send({ s3_key: s3Key });
  const recordsOf = async (user: RegisteredUser) =>
    (await scanAll(t.documents, t.config.dynamodb.tables.audioFiles)).filter((item) => JSON.stringify(item).includes(user.userId));

  /** The signature S3 would compute for a PUT of `key` with `contentLength`, at the URL's own signing time. */
  const signatureFor = async (url: URL, key: string, contentLength: number): Promise<string | null> => {
    const signedAt = (url.searchParams.get('X-Amz-Date') as string).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z');
    const expected = await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: t.config.storage.bucket, Key: key, ContentLength: contentLength }), {
      expiresIn: Number(url.searchParams.get('X-Amz-Expires')),
      signingDate: new Date(signedAt),
    });
    return new URL(expected).searchParams.get('X-Amz-Signature');
  };

  it('signs the declared size into a URL for the pending-upload key, never for the recording’s key', async () => {
    const { body } = await uploadUrl(alice, { file_size: 3056 }).expect(201);
    const url = new URL(body.upload_url);
    const pendingKey = `uploads/${alice.userId}/${body.file_id}/3056`;
    expect(decodeURIComponent(url.pathname)).toBe(`/${t.config.storage.bucket}/${pendingKey}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['content-length', 'host']);
    expect(body.s3_key).toBe(`users/${alice.userId}/${body.file_id}.3gp`);
    // The signature covers exactly this Content-Length: S3 refuses a PUT with any other.
    expect(await signatureFor(url, pendingKey, 3056)).toBe(url.searchParams.get('X-Amz-Signature'));
    expect(await signatureFor(url, pendingKey, 3057)).not.toBe(url.searchParams.get('X-Amz-Signature'));
  });

  it('requires file_size (400) and refuses one over MAX_RECORDING_BYTES with 413 RECORDING_TOO_LARGE', async () => {
    for (const body of [{}, { file_size: 0 }, { file_size: 1.5 }, { file_size: '10' }, { file_size: 5 * 1024 ** 3 + 1 }]) {
      const refused = await uploadUrl(alice, body).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'file_size' })] });
    }
    const tooLarge = await uploadUrl(alice, { file_size: MAX_RECORDING_BYTES + 1 }).expect(413);
    expect(tooLarge.body).toMatchObject({ code: 'RECORDING_TOO_LARGE', error: expect.stringContaining(String(MAX_RECORDING_BYTES)) });
    await uploadUrl(alice, { file_size: MAX_RECORDING_BYTES }).expect(201);
  });

  it('refuses and deletes an upload of another size than declared (422) or over the maximum (413); nothing is recorded', async () => {
    const short = await uploadUrl(alice, { file_size: 1000 }).expect(201);
    await putThrough(short.body.upload_url, randomBytes(999));
    const mismatch = await register(alice, short.body.s3_key).expect(422);
    expect(mismatch.body).toMatchObject({ code: 'UPLOAD_SIZE_MISMATCH', error: expect.stringContaining('999') });
    await register(alice, short.body.s3_key).expect(404);

    const large = await uploadUrl(alice, { file_size: MAX_RECORDING_BYTES }).expect(201);
    await putThrough(large.body.upload_url, randomBytes(MAX_RECORDING_BYTES + 1));
    const tooLarge = await register(alice, large.body.s3_key).expect(413);
    expect(tooLarge.body.code).toBe('RECORDING_TOO_LARGE');

    expect(await listKeys(t, `uploads/${alice.userId}/`)).toEqual([]);
    expect(await listKeys(t, `users/${alice.userId}/`)).toEqual([]);
    expect(await recordsOf(alice)).toEqual([]);
  });

  it('keeps a registered recording and its size whatever its old URL uploads afterwards; registering again is 409', async () => {
    const original = randomBytes(2048);
    const { body: slot } = await uploadUrl(alice, { file_size: original.length }).expect(201);
    await putThrough(slot.upload_url, original);
    const created = await register(alice, slot.s3_key).expect(201);
    expect(created.body.audio_file.file_size).toBe(original.length);
    expect(await listKeys(t, `uploads/${alice.userId}/`)).toEqual([]);

    // The URL is still valid: the overwrite attempts reach only the pending-upload key.
    await putThrough(slot.upload_url, randomBytes(original.length));
    await putThrough(slot.upload_url, randomBytes(original.length * 4));
    expect((await getObject(t, slot.s3_key)).equals(original)).toBe(true);
    const again = await register(alice, slot.s3_key).expect(409);
    expect(again.body.code).toBe('S3_KEY_TAKEN');
    expect((await getObject(t, slot.s3_key)).equals(original)).toBe(true);
    const fetched = await t.http.get(`/api/audio-files/${slot.file_id}`).set(alice.auth).expect(200);
    expect(fetched.body.audio_file.file_size).toBe((await getObject(t, slot.s3_key)).length);
    expect(await listKeys(t, `uploads/${alice.userId}/`)).toEqual([]);
  });

  it('registers one upload once when two registrations race (one 201, one 409)', async () => {
    const data = randomBytes(4096);
    const { body: slot } = await uploadUrl(alice, { file_size: data.length }).expect(201);
    await putThrough(slot.upload_url, data);
    const statuses = (await Promise.all([register(alice, slot.s3_key), register(alice, slot.s3_key)])).map((response) => response.status);
    expect(statuses.sort()).toEqual([201, 409]);
    expect((await getObject(t, slot.s3_key)).equals(data)).toBe(true);
    expect(await recordsOf(alice)).toHaveLength(2); // the record and its S3-key claim
  });

  it(`gives an account at most ${PER_ACCOUNT} URLs an hour from any address, also in a concurrent burst (429 + Retry-After)`, async () => {
    await awayFromWindowEdge(3600, 30);
    const burst = await Promise.all(Array.from({ length: 10 }, () => uploadUrl(alice, { file_size: 10 })));
    expect(burst.filter((response) => response.status === 201)).toHaveLength(PER_ACCOUNT);
    const refused = burst.filter((response) => response.status !== 201);
    expect(refused.map((response) => response.status)).toEqual(Array(10 - PER_ACCOUNT).fill(429));
    for (const response of refused) {
      expect(response.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(3600);
    }
    // Another account is not affected.
    await uploadUrl(await registerUser(t.http), { file_size: 10 }).expect(201);
  });

  it(`gives a client address at most ${PER_IP} URLs an hour, whatever the accounts`, async () => {
    await awayFromWindowEdge(3600, 30);
    const address = newAddress();
    const [bob, carol] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
    for (let index = 0; index < PER_ACCOUNT; index++) await uploadUrl(bob, { file_size: 10 }, address).expect(201);
    await uploadUrl(carol, { file_size: 10 }, address).expect(201);
    const refused = await uploadUrl(carol, { file_size: 10 }, address).expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    await uploadUrl(carol, { file_size: 10 }, newAddress()).expect(201);
  });
});
