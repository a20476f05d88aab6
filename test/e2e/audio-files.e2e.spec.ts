import { randomBytes } from 'node:crypto';
import { getObject, listKeys, putThrough, registerUser, RegisteredUser, scanAll, startTestApp, TestApp, uploadRecording } from '../support/test-app';

describe('audio files (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
  });
  afterAll(() => t.close());

  const create = (user: RegisteredUser, body: object) => t.http.post('/api/audio-file').set(user.auth).send(body);
  const list = (user: RegisteredUser, query = '') => t.http.get(`/api/user/audio-files${query}`).set(user.auth);
  const itemCount = async () => (await scanAll(t.documents, t.config.dynamodb.tables.audioFiles)).length;

  it('issues an upload URL for one new key under the caller’s own prefix', async () => {
    const before = Date.now();
    const response = await t.http
      .post('/api/audio-files/upload-url')
      .set(alice.auth)
      .send({ content_type: 'audio/mp4', file_size: 3056 })
      .expect(201);
    expect(response.body).toEqual({
      file_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      s3_key: `users/${alice.userId}/${response.body.file_id}.m4a`,
      upload_url: expect.stringContaining(`/uploads/${alice.userId}/${response.body.file_id}/3056?`),
      method: 'PUT',
      expires_at: expect.any(String),
    });
    const url = new URL(response.body.upload_url);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(Date.parse(response.body.expires_at) - before).toBeGreaterThanOrEqual(899_000);
    await t.http.post('/api/audio-files/upload-url').set(alice.auth).send({ content_type: 'text/html', file_size: 1 }).expect(400);
    await t.http.post('/api/audio-files/upload-url').set(alice.auth).send({ file_size: 1 }).expect(201);
  });

  it('records an uploaded recording (201) with its real size, and lists it with the same values and types', async () => {
    const slot = await t.http.post('/api/audio-files/upload-url').set(alice.auth).send({ file_size: 777 }).expect(201);
    await putThrough(slot.body.upload_url, randomBytes(777));
    const created = await create(alice, { s3_key: slot.body.s3_key, file_size: 5 }).expect(201);
    expect(created.body).toEqual({
      audio_file: {
        file_id: slot.body.file_id,
        user_id: alice.userId,
        s3_key: slot.body.s3_key,
        file_size: 777,
        uploaded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        key_id: 1,
        locked: false,
      },
    });
    const listed = await list(alice).expect(200);
    expect(listed.body.audio_files).toContainEqual(created.body.audio_file);
    const fetched = await t.http.get(`/api/audio-files/${created.body.audio_file.file_id}`).set(alice.auth).expect(200);
    expect(fetched.body).toEqual(created.body);
  });

  it('refuses a key under another user’s prefix (403), a key it did not issue (400) and a missing object (404)', async () => {
    const bobs = await t.http.post('/api/audio-files/upload-url').set(bob.auth).send({ file_size: 10 }).expect(201);
    await putThrough(bobs.body.upload_url, randomBytes(10));
    const foreign = await create(alice, { s3_key: bobs.body.s3_key }).expect(403);
    expect(foreign.body.code).toBe('FORBIDDEN');
    await create(alice, { s3_key: `users/${alice.userId}/my-own-name.3gp` }).expect(400);
    const unused = await t.http.post('/api/audio-files/upload-url').set(alice.auth).send({ file_size: 10 }).expect(201);
    const missing = await create(alice, { s3_key: unused.body.s3_key }).expect(404);
    expect(missing.body.code).toBe('OBJECT_NOT_FOUND');
  });

  it('refuses a second record for the same s3_key (409), so no object has two records', async () => {
    const file = await uploadRecording(t, alice);
    const response = await create(alice, { s3_key: file.s3_key }).expect(409);
    expect(response.body.code).toBe('S3_KEY_TAKEN');
  });

  it('deletes the record, the recording and its decrypted copies; deleting again is 404', async () => {
    const file = await uploadRecording(t, alice);
    const { body } = await t.http
      .post('/api/decrypt-audio')
      .set(alice.auth)
      .send({ password: 'SecurePassword123!', file_id: file.file_id })
      .expect(200);
    expect(await listKeys(t, `decrypted/${alice.userId}/${file.file_id}/`)).toHaveLength(1);
    await t.http.delete(`/api/audio-files/${file.file_id}`).set(bob.auth).expect(404);
    await t.http.delete(`/api/audio-files/${file.file_id}`).set(alice.auth).expect(204);
    expect(await listKeys(t, file.s3_key)).toEqual([]);
    expect(await listKeys(t, `decrypted/${alice.userId}/${file.file_id}/`)).toEqual([]);
    await t.http.get(`/api/audio-files/${file.file_id}`).set(alice.auth).expect(404);
    await t.http.delete(`/api/audio-files/${file.file_id}`).set(alice.auth).expect(404);
    await t.http.get(`/api/decrypt-jobs/${body.job_id}`).set(alice.auth).expect(404);
    // The key is free again: nothing of the record is left behind.
    const items = await scanAll(t.documents, t.config.dynamodb.tables.audioFiles);
    expect(items.filter((item) => JSON.stringify(item).includes(file.file_id))).toEqual([]);
  });

  it.each([
    ['file_size "big"', { s3_key: 'users/x/a.3gp', file_size: 'big' }],
    ['a negative file_size', { s3_key: 'users/x/a.3gp', file_size: -1 }],
    ['a fractional file_size', { s3_key: 'users/x/a.3gp', file_size: 10.5 }],
    ['file_size as a numeric string', { s3_key: 'users/x/a.3gp', file_size: '1024' }],
    ['an object as s3_key', { s3_key: { $gt: '' }, file_size: 1 }],
    ['a missing s3_key', { file_size: 1 }],
    ['an empty s3_key', { s3_key: '', file_size: 1 }],
    ['an s3_key with ..', { s3_key: 'users/x/../y/a.3gp', file_size: 1 }],
    ['an s3_key with a leading /', { s3_key: '/users/x/a.3gp', file_size: 1 }],
    ['an s3_key with a space', { s3_key: 'users/x/a b.3gp', file_size: 1 }],
    ['an s3_key over 1024 characters', { s3_key: 'a'.repeat(1025), file_size: 1 }],
    ['an unknown field', { s3_key: 'users/x/a.3gp', file_size: 1, user_id: 'someone-else' }],
  ])('refuses %s (400) and stores nothing', async (_case, body) => {
    const before = await itemCount();
    const response = await create(alice, body).expect(400);
    expect(response.body).toEqual(expect.objectContaining({ code: 'VALIDATION_FAILED', error: expect.any(String) }));
    expect(await itemCount()).toBe(before);
  });

  it.each(['abc', '-5', '0', '101', '100000', '1.5', '', '1e2'])('refuses limit=%s (400)', async (limit) => {
    const response = await list(alice, `?limit=${limit}`).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.details[0].field).toBe('limit');
  });

  it('refuses unknown query parameters (400)', async () => {
    await list(alice, '?limit=5&sort=asc').expect(400);
  });

  describe('paging newest first', () => {
    let carol: RegisteredUser;
    const created: string[] = [];

    beforeAll(async () => {
      carol = await registerUser(t.http);
      for (let index = 0; index < 7; index++) created.push((await uploadRecording(t, carol)).file_id);
    });

    it('returns pages of `limit`, newest first, with next_cursor until the last page', async () => {
      const seen: string[] = [];
      const times: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const response = await list(carol, query).expect(200);
        expect(response.body.audio_files.length).toBeLessThanOrEqual(3);
        for (const file of response.body.audio_files as Array<{ file_id: string; uploaded_at: string }>) {
          seen.push(file.file_id);
          times.push(Date.parse(file.uploaded_at));
        }
        cursor = response.body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect([...seen].sort()).toEqual([...created].sort());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('defaults to 50 per page and returns null next_cursor when everything fits', async () => {
      const response = await list(carol).expect(200);
      expect(response.body.audio_files).toHaveLength(7);
      expect(response.body.next_cursor).toBeNull();
    });

    it('refuses a cursor issued to another user, and a tampered one (400)', async () => {
      const { body } = await list(carol, '?limit=2').expect(200);
      const foreign = await list(bob, `?cursor=${encodeURIComponent(body.next_cursor)}`).expect(400);
      expect(foreign.body.code).toBe('INVALID_CURSOR');
      const [payload, mac] = (body.next_cursor as string).split('.');
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), u: bob.userId })).toString(
        'base64url',
      );
      const tampered = await list(bob, `?cursor=${forged}.${mac}`).expect(400);
      expect(tampered.body.code).toBe('INVALID_CURSOR');
      await list(carol, '?cursor=not-a-cursor').expect(400);
    });
  });

  it("never shows one user's files to another", async () => {
    const secret = await uploadRecording(t, alice);
    const bobsList = await list(bob).expect(200);
    expect(bobsList.body.audio_files.map((file: { file_id: string }) => file.file_id)).not.toContain(secret.file_id);
    const response = await t.http.get(`/api/audio-files/${secret.file_id}`).set(bob.auth).expect(404);
    expect(response.body).toMatchObject({ error: 'Audio file not found', code: 'NOT_FOUND' });
    await t.http.get('/api/audio-files/not-a-uuid').set(bob.auth).expect(400);
  });

  it('requires a token', async () => {
    const response = await t.http.get('/api/user/audio-files').expect(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
    await t.http.post('/api/audio-file').send({ s3_key: 'users/x/a.3gp', file_size: 1 }).expect(401);
    await t.http.post('/api/audio-files/upload-url').send({ file_size: 1 }).expect(401);
    expect(await getObject(t, 'missing').catch((error: Error) => error.name)).toBe('NoSuchKey');
  });
});
