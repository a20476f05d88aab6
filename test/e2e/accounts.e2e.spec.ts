import { randomBytes } from 'node:crypto';
import { AudioFilesService } from '../../src/audio-files/audio-files.service';
import { DependencyUnavailableError } from '../../src/common/errors/domain.errors';
import { accountTraces, populatedAccount } from '../support/accounts';
import { PASSWORD, registerUser, startTestApp, TestApp, uploadRecording } from '../support/test-app';

const NEW_PASSWORD = 'An0ther-Secure-Passphrase';

describe('password change and account deletion (HTTP, DynamoDB Local, s3rver)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_CACHE_TTL_MS: '0' });
  });
  afterAll(() => t.close());

  const decrypt = (token: string, password: string, fileId: string) =>
    t.http.post('/api/decrypt-audio?mode=stream').set('Authorization', `Bearer ${token}`).send({ password, file_id: fileId });

  describe('PUT /api/user/password', () => {
    it('keeps every recording decryptable with the new password and none with the old', async () => {
      const user = await registerUser(t.http);
      const recording = randomBytes(50_000);
      const file = await uploadRecording(t, user, recording);
      const otherDevice = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);

      const changed = await t.http
        .put('/api/user/password')
        .set(user.auth)
        .send({ current_password: PASSWORD, new_password: NEW_PASSWORD })
        .expect(200);
      expect(changed.body).toMatchObject({
        user: { user_id: user.userId, email: user.email },
        key_salt: expect.stringMatching(/^[0-9a-f]{64}$/),
        encryption: { wrapped_user_key: expect.any(String) },
      });
      expect(changed.body.key_salt).not.toBe(user.session.key_salt);

      const decrypted = await decrypt(user.token, NEW_PASSWORD, file.file_id).expect(200);
      expect(Buffer.from(decrypted.body).equals(recording)).toBe(true);
      await decrypt(user.token, PASSWORD, file.file_id).expect(401);

      // The client can still unlock the same user key from what the change returned.
      const session = { ...user.session, key_salt: changed.body.key_salt, encryption: changed.body.encryption };
      const unlocked = await t.client.unlockUserKey(session, NEW_PASSWORD);
      const original = await t.client.unlockUserKey(user.session, PASSWORD);
      expect(unlocked.equals(original)).toBe(true);

      // Other sessions end; this one goes on; logins follow the new password.
      await t.http.post('/api/auth/refresh').send({ refresh_token: otherDevice.body.refresh_token }).expect(401);
      await t.http.get('/api/user/me').set('Authorization', `Bearer ${otherDevice.body.token}`).expect(401);
      await t.http.get('/api/user/me').set(user.auth).expect(200);
      await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(401);
      await t.http.post('/api/login').send({ email: user.email, password: NEW_PASSWORD }).expect(200);
    });

    it('refuses a wrong current password (401) and a short new one (400), changing nothing', async () => {
      const user = await registerUser(t.http);
      const wrong = await t.http
        .put('/api/user/password')
        .set(user.auth)
        .send({ current_password: 'nope-nope', new_password: NEW_PASSWORD })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_PASSWORD');
      await t.http.put('/api/user/password').set(user.auth).send({ current_password: PASSWORD, new_password: 'short' }).expect(400);
      await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    });
  });

  describe('DELETE /api/user', () => {
    it('deletes every item and object of the account but its tombstone and the caller’s session; its tokens stop working; the email can register again', async () => {
      const user = await populatedAccount(t);
      const bystander = await registerUser(t.http);
      const kept = await uploadRecording(t, bystander);
      await t.http.delete('/api/user').set(user.auth).send({ password: 'wrong-password' }).expect(401);
      await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }).expect(204);
      const left = await accountTraces(t, user);
      expect(left.objects).toEqual([]);
      expect(left.items).toEqual([
        { user_id: user.userId, deleting_at: expect.any(Number), sweep_queue: 'deleted-accounts', sweep_after: expect.any(Number) },
        expect.objectContaining({ session_id: user.session.session_id, user_id: user.userId }),
      ]);
      await t.http.get('/api/user/me').set(user.auth).expect(404);
      await t.http.post('/api/audio-files/upload-url').set(user.auth).send({ file_size: 10 }).expect(401);
      await t.http.get('/api/user/me').set('Authorization', `Bearer ${user.otherDevice.token}`).expect(401);
      await t.http.post('/api/auth/refresh').send({ refresh_token: user.session.refresh_token }).expect(401);
      await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(401);
      await t.http.post('/api/register').send({ email: user.email, password: PASSWORD }).expect(201);
      await t.http.get(`/api/audio-files/${kept.file_id}`).set(bystander.auth).expect(200);
    });

    it('finishes a deletion that failed half-way when it is called again', async () => {
      const user = await populatedAccount(t);
      const audioFiles = t.app.get(AudioFilesService);
      const failOnce = jest
        .spyOn(audioFiles, 'deleteAllOf')
        .mockRejectedValueOnce(new DependencyUnavailableError('S3', new Error('simulated outage')));
      await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }).expect(503);
      expect((await accountTraces(t, user)).items.length).toBeGreaterThan(2);
      await t.http.delete('/api/user').set(user.auth).send({ password: PASSWORD }).expect(204);
      failOnce.mockRestore();
      expect(await accountTraces(t, user)).toMatchObject({
        items: [expect.objectContaining({ user_id: user.userId }), expect.anything()],
        objects: [],
      });
    });
  });
});
