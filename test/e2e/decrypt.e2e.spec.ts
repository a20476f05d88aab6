import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { ObjectStorage } from '../../src/storage/object-storage';
import { getObject, listKeys, PASSWORD, putObject, registerUser, RegisteredUser, startTestApp, TestApp, uploadRecording } from '../support/test-app';

const MIB = 1024 * 1024;
const HEADER = 40;

describe('decrypt-audio (HTTP, DynamoDB Local, s3rver)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  /** Three 1 MiB segments: enough to reorder, duplicate and drop segments. */
  const recording = randomBytes(2 * MIB + 12345);
  let file: { file_id: string; s3_key: string };

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
    file = await uploadRecording(t, alice, recording);
  });
  afterAll(() => t.close());

  const decrypt = (user: RegisteredUser, body: object, query = '') => t.http.post(`/api/decrypt-audio${query}`).set(user.auth).send(body);
  const copiesOf = (user: RegisteredUser) => listKeys(t, `decrypted/${user.userId}/`);

  /** How a stream-mode decryption of the shared file ends: a status code, an aborted body, or a clean end. */
  const streamOutcome = async (): Promise<string> => {
    const response = await fetch(`${t.baseUrl}/api/decrypt-audio?mode=stream`, {
      method: 'POST',
      headers: { ...alice.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD, file_id: file.file_id }),
    });
    if (response.status !== 200) return String(response.status);
    return response.arrayBuffer().then(
      () => 'clean',
      () => 'aborted',
    );
  };

  describe('the reference client’s round trip', () => {
    it('encrypt → upload → register → decrypt → download gives identical bytes', async () => {
      const response = await decrypt(alice, { password: PASSWORD, file_id: file.file_id }).expect(200);
      expect(response.body).toEqual({
        status: 'ready_for_transcription',
        file_info: expect.objectContaining({ file_id: file.file_id, s3_key: file.s3_key }),
        download_url: expect.stringContaining(`/decrypted/${alice.userId}/${file.file_id}/`),
        expires_at: expect.any(String),
        job_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(Date.parse(response.body.expires_at) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
      const download = await fetch(response.body.download_url);
      expect(Buffer.from(await download.arrayBuffer()).equals(recording)).toBe(true);
    });

    it('streams identical bytes with the audio type and exact length for Accept: audio/* and ?mode=stream', async () => {
      const before = (await copiesOf(alice)).length;
      for (const [query, accept] of [
        ['', 'audio/*'],
        ['?mode=stream', 'application/json'],
      ]) {
        const response = await fetch(`${t.baseUrl}/api/decrypt-audio${query}`, {
          method: 'POST',
          headers: { ...alice.auth, 'content-type': 'application/json', accept },
          body: JSON.stringify({ password: PASSWORD, s3_key: file.s3_key }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('audio/3gpp');
        expect(response.headers.get('content-length')).toBe(String(recording.length));
        expect(Buffer.from(await response.arrayBuffer()).equals(recording)).toBe(true);
      }
      expect((await copiesOf(alice)).length).toBe(before);
    });

    it('reports the job to its owner only, with a fresh download URL', async () => {
      const { body } = await decrypt(alice, { password: PASSWORD, file_id: file.file_id }).expect(200);
      const job = await t.http.get(`/api/decrypt-jobs/${body.job_id}`).set(alice.auth).expect(200);
      expect(job.body.job).toMatchObject({ job_id: body.job_id, file_id: file.file_id, status: 'completed', download_url: expect.any(String) });
      await t.http.get(`/api/decrypt-jobs/${body.job_id}`).set(bob.auth).expect(404);
      await t.http.get('/api/decrypt-jobs/not-a-uuid').set(alice.auth).expect(400);
    });
  });

  it('finds each of 20 files exactly by s3_key', async () => {
    const files = [];
    for (let index = 0; index < 10; index++) {
      files.push(await uploadRecording(t, alice, Buffer.from(`recording ${index}`)));
      await uploadRecording(t, bob, Buffer.from(`other ${index}`));
    }
    for (const target of files) {
      const response = await decrypt(alice, { password: PASSWORD, s3_key: target.s3_key }, '?mode=stream').expect(200);
      expect(response.body.toString()).toBe(`recording ${files.indexOf(target)}`);
    }
  });

  it('refuses a wrong password (401) without reading storage', async () => {
    const read = jest.spyOn(t.app.get(ObjectStorage), 'read');
    const response = await decrypt(alice, { password: 'wrong-password', file_id: file.file_id }).expect(401);
    expect(response.body).toMatchObject({ error: 'Invalid password', code: 'INVALID_PASSWORD' });
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
  });

  it('answers 404 for another user’s file, by file_id and by s3_key, with the right password', async () => {
    const byId = await decrypt(bob, { password: PASSWORD, file_id: file.file_id }).expect(404);
    expect(byId.body).toMatchObject({ error: 'Audio file not found', code: 'NOT_FOUND' });
    await decrypt(bob, { password: PASSWORD, s3_key: file.s3_key }).expect(404);
    await decrypt(alice, { password: PASSWORD, file_id: '00000000-0000-4000-8000-000000000000' }).expect(404);
  });

  describe('a recording that does not decrypt: 422, nothing decrypted left behind', () => {
    let original: Buffer;

    beforeAll(async () => {
      original = await getObject(t, file.s3_key);
    });
    afterEach(() => putObject(t, file.s3_key, original));

    const segments = () => {
      const first = original.subarray(HEADER, MIB);
      return { header: original.subarray(0, HEADER), first, second: original.subarray(MIB, 2 * MIB), last: original.subarray(2 * MIB) };
    };

    it.each<[string, () => Buffer | Promise<Buffer>]>([
      ['one byte changed', () => Buffer.concat([original.subarray(0, 500_000), Buffer.from([original[500_000] ^ 1]), original.subarray(500_001)])],
      ['the last segment missing', () => original.subarray(0, 2 * MIB)],
      ['truncated inside a segment', () => original.subarray(0, original.length - 20)],
      [
        'segments reordered',
        () => {
          const s = segments();
          return Buffer.concat([s.header, s.first, s.last, s.second]);
        },
      ],
      [
        'a segment duplicated',
        () => {
          const s = segments();
          return Buffer.concat([s.header, s.first, s.second, s.second, s.last]);
        },
      ],
      ['a wrong header', () => Buffer.concat([Buffer.from([0x18]), original.subarray(1)])],
      ['another file’s ciphertext', async () => getObject(t, (await uploadRecording(t, alice, randomBytes(100))).s3_key)],
      ['another user’s ciphertext', async () => getObject(t, (await uploadRecording(t, bob, randomBytes(100))).s3_key)],
    ])('%s', async (_case, make) => {
      await putObject(t, file.s3_key, await make());
      const before = await copiesOf(alice);
      const response = await decrypt(alice, { password: PASSWORD, file_id: file.file_id }).expect(422);
      expect(response.body).toMatchObject({ code: 'DECRYPTION_FAILED', error: expect.any(String) });
      expect(await copiesOf(alice)).toEqual(before);
      expect(['422', 'aborted']).toContain(await streamOutcome());
    });

    it('aborts a stream whose failure comes after the first bytes were sent, never ending it cleanly', async () => {
      const damaged = Buffer.from(original);
      damaged[damaged.length - 50] ^= 1;
      await putObject(t, file.s3_key, damaged);
      const response = await fetch(`${t.baseUrl}/api/decrypt-audio?mode=stream`, {
        method: 'POST',
        headers: { ...alice.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ password: PASSWORD, file_id: file.file_id }),
      });
      expect(response.status).toBe(200);
      await expect(response.arrayBuffer()).rejects.toThrow();
      expect(await streamOutcome()).toBe('aborted');
    });
  });

  it('answers 404 OBJECT_NOT_FOUND when the recording is gone from storage', async () => {
    const lost = await uploadRecording(t, alice, randomBytes(10));
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.config.storage.bucket, Key: lost.s3_key }));
    const response = await decrypt(alice, { password: PASSWORD, file_id: lost.file_id }).expect(404);
    expect(response.body.code).toBe('OBJECT_NOT_FOUND');
  });

  it('answers 503 with Retry-After when S3 cannot be reached', async () => {
    const saved = process.env.S3_ENDPOINT;
    process.env.S3_ENDPOINT = 'http://127.0.0.1:1';
    const broken = await createApp();
    process.env.S3_ENDPOINT = saved;
    await broken.init();
    await broken.getHttpAdapter().getInstance().ready();
    try {
      const response = await request(broken.getHttpServer())
        .post('/api/decrypt-audio')
        .set(alice.auth)
        .send({ password: PASSWORD, file_id: file.file_id })
        .expect(503);
      expect(response.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBeDefined();
    } finally {
      await broken.close();
    }
  });

  it.each([
    ['neither file_id nor s3_key', { password: PASSWORD }],
    ['no password', { file_id: '00000000-0000-4000-8000-000000000000' }],
    ['a file_id that is not a UUID', { password: PASSWORD, file_id: 'abc' }],
    ['an object as s3_key', { password: PASSWORD, s3_key: { a: 1 } }],
    ['a number as password', { password: 12345678, s3_key: 'users/x/a.3gp' }],
    ['a null s3_key', { password: PASSWORD, s3_key: null }],
    ['a null file_id', { password: PASSWORD, file_id: null }],
  ])('refuses %s (400)', async (_case, body) => {
    const response = await decrypt(alice, body).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses an unknown mode (400)', async () => {
    await decrypt(alice, { password: PASSWORD, file_id: file.file_id }, '?mode=zip').expect(400);
  });
});
