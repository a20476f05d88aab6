import { PASSWORD, registerUser, RegisteredUser, startTestApp, TestApp } from '../support/test-app';

describe('decrypt-audio (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  const aliceFiles: Array<{ file_id: string; s3_key: string }> = [];

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob] = await Promise.all([registerUser(t.http), registerUser(t.http)]);
    // Enough records that the design's `Scan` with `Limit=1` would almost never have found the one asked for.
    for (let index = 0; index < 40; index++) {
      const owner = index % 2 === 0 ? alice : bob;
      const response = await t.http
        .post('/api/audio-file')
        .set(owner.auth)
        .send({ s3_key: `users/${owner.userId}/recording-${index}.3gp`, file_size: 100 + index })
        .expect(201);
      if (owner === alice) aliceFiles.push(response.body.audio_file);
    }
  });
  afterAll(() => t.close());

  const decrypt = (user: RegisteredUser, body: object) => t.http.post('/api/decrypt-audio').set(user.auth).send(body);

  it('finds the caller’s file by file_id', async () => {
    const target = aliceFiles[7];
    const response = await decrypt(alice, { password: PASSWORD, file_id: target.file_id }).expect(200);
    expect(response.body).toEqual({ status: 'ready_for_transcription', file_info: target });
  });

  it('finds every one of the caller’s files by s3_key, exactly', async () => {
    for (const target of aliceFiles) {
      const response = await decrypt(alice, { password: PASSWORD, s3_key: target.s3_key }).expect(200);
      expect(response.body.file_info).toEqual(target);
    }
  });

  it('refuses a wrong password (401) before looking at the file', async () => {
    const response = await decrypt(alice, { password: 'wrong-password', file_id: aliceFiles[0].file_id }).expect(401);
    expect(response.body).toMatchObject({ error: 'Invalid password', code: 'INVALID_PASSWORD' });
  });

  it('answers 404 for another user’s file, by file_id and by s3_key, even with the right password', async () => {
    const target = aliceFiles[3];
    const byId = await decrypt(bob, { password: PASSWORD, file_id: target.file_id }).expect(404);
    expect(byId.body).toMatchObject({ error: 'Audio file not found', code: 'NOT_FOUND' });
    await decrypt(bob, { password: PASSWORD, s3_key: target.s3_key }).expect(404);
  });

  it('answers 404 for a file that does not exist', async () => {
    await decrypt(alice, { password: PASSWORD, file_id: '00000000-0000-4000-8000-000000000000' }).expect(404);
    await decrypt(alice, { password: PASSWORD, s3_key: 'users/nobody/nothing.3gp' }).expect(404);
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
});
