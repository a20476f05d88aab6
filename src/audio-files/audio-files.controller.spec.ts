import { randomUUID } from 'node:crypto';
import { controllerSpec } from '../../test/support/controller-app';
import { AudioFilesController } from './audio-files.controller';
import { AudioFilesService } from './audio-files.service';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

describe('AudioFilesController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(AudioFilesController, [AudioFilesService]);
  const service = app.get(AudioFilesService);
  const uploadedAt = new Date('2026-11-25T14:34:27.123Z');
  const file = { id: 'f1', userId: CALLER, s3Key: 'users/u/a.3gp', fileSize: 3, uploadedAt, keyId: 1 };
  const view = {
    file_id: 'f1',
    user_id: CALLER,
    s3_key: 'users/u/a.3gp',
    file_size: 3,
    uploaded_at: '2026-11-25T14:34:27.123Z',
    key_id: 1,
    locked: false,
  };
  const asCaller = () => app.bearer(CALLER);
  // Key 1 is open: the file renders unlocked.
  beforeEach(() => service.openKeyIds.mockResolvedValue(new Set([1])));

  it('passes a valid body to the service as the caller and renders the seed shape (201)', async () => {
    service.create.mockResolvedValue(file);
    const response = await app.http().post('/api/audio-file').set(asCaller()).send({ s3_key: 'users/u/a.3gp', file_size: 3 }).expect(201);
    expect(service.create).toHaveBeenCalledWith(CALLER, { s3_key: 'users/u/a.3gp', file_size: 3 });
    expect(response.body).toEqual({ audio_file: view });
  });

  it.each([
    [{ s3_key: 'users/u/a.3gp', file_size: 'big' }, 'file_size'],
    [{ s3_key: 'users/u/a.3gp', file_size: -3 }, 'file_size'],
    [{ s3_key: 42, file_size: 3 }, 's3_key'],
    [{ s3_key: 'users/u/a.3gp', owner: CALLER }, 'owner'],
  ])('refuses %j with 400 naming %s, without calling the service', async (body, field) => {
    const response = await app.http().post('/api/audio-file').set(asCaller()).send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })], request_id: expect.any(String) });
    expect(service.create).not.toHaveBeenCalled();
  });

  it('passes the declared size, the default content type and the client address to uploadSlot', async () => {
    service.uploadSlot.mockResolvedValue({ fileId: 'f1', s3Key: 'users/u/f1.3gp', url: 'https://s3/put', expiresAt: uploadedAt });
    const response = await app.http().post('/api/audio-files/upload-url').set(asCaller()).send({ file_size: 3056 }).expect(201);
    expect(service.uploadSlot).toHaveBeenCalledWith(
      CALLER,
      { content_type: 'audio/3gpp', file_size: 3056 },
      expect.objectContaining({ ip: expect.any(String) }),
    );
    expect(response.body).toEqual({
      file_id: 'f1',
      s3_key: 'users/u/f1.3gp',
      upload_url: 'https://s3/put',
      method: 'PUT',
      expires_at: uploadedAt.toISOString(),
    });
  });

  it.each([{}, { file_size: 0 }, { file_size: 2.5 }, { file_size: '3056' }, { file_size: 6 * 1024 ** 3 }])(
    'refuses an upload-url body %j with 400 naming file_size, without calling the service',
    async (body) => {
      const response = await app.http().post('/api/audio-files/upload-url').set(asCaller()).send(body).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'file_size' })] });
      expect(service.uploadSlot).not.toHaveBeenCalled();
    },
  );

  it('turns the query into a number with a default of 50', async () => {
    service.list.mockResolvedValue({ files: [], nextCursor: null });
    await app.http().get('/api/user/audio-files').set(asCaller()).expect(200, { audio_files: [], next_cursor: null });
    expect(service.list).toHaveBeenCalledWith(CALLER, 50, undefined);
    await app.http().get('/api/user/audio-files?limit=7&cursor=abc.def').set(asCaller()).expect(200);
    expect(service.list).toHaveBeenLastCalledWith(CALLER, 7, 'abc.def');
  });

  it('renders a page of the caller’s files with the cursor of the next one', async () => {
    service.list.mockResolvedValue({ files: [file], nextCursor: 'next.page' });
    await app
      .http()
      .get('/api/user/audio-files')
      .set(asCaller())
      .expect(200, { audio_files: [view], next_cursor: 'next.page' });
  });

  it('refuses repeated query parameters and a bad file id without calling the service', async () => {
    await app.http().get('/api/user/audio-files?limit=5&limit=6').set(asCaller()).expect(400);
    await app.http().get('/api/audio-files/abc').set(asCaller()).expect(400);
    await app.http().delete('/api/audio-files/abc').set(asCaller()).expect(400);
    expect(service.list).not.toHaveBeenCalled();
    expect(service.getOwned).not.toHaveBeenCalled();
    expect(service.delete).not.toHaveBeenCalled();
  });

  it('issues an upload slot for the caller in the requested container', async () => {
    const fileId = randomUUID();
    service.uploadSlot.mockResolvedValue({ fileId, s3Key: `users/${CALLER}/${fileId}.m4a`, url: 'https://s3.example/put', expiresAt: uploadedAt });
    const response = await app
      .http()
      .post('/api/audio-files/upload-url')
      .set(asCaller())
      .send({ content_type: 'audio/mp4', file_size: 3056 })
      .expect(201);
    expect(service.uploadSlot).toHaveBeenCalledWith(
      CALLER,
      { content_type: 'audio/mp4', file_size: 3056 },
      expect.objectContaining({ ip: expect.any(String) }),
    );
    expect(response.body).toEqual({
      file_id: fileId,
      s3_key: `users/${CALLER}/${fileId}.m4a`,
      upload_url: 'https://s3.example/put',
      method: 'PUT',
      expires_at: '2026-11-25T14:34:27.123Z',
    });
    await app.http().post('/api/audio-files/upload-url').set(asCaller()).send({ content_type: 'video/mp4', file_size: 3056 }).expect(400);
    expect(service.uploadSlot).toHaveBeenCalledTimes(1);
  });

  it('reads and deletes a file as the caller: 200 with the file, 204 with no body', async () => {
    const fileId = randomUUID();
    service.getOwned.mockResolvedValue(file);
    await app.http().get(`/api/audio-files/${fileId}`).set(asCaller()).expect(200, { audio_file: view });
    service.openKeyIds.mockResolvedValue(new Set([2]));
    await app
      .http()
      .get(`/api/audio-files/${fileId}`)
      .set(asCaller())
      .expect(200, { audio_file: { ...view, locked: true } });
    expect(service.getOwned).toHaveBeenCalledWith(CALLER, fileId);
    const deleted = await app.http().delete(`/api/audio-files/${fileId}`).set(asCaller()).expect(204);
    expect(deleted.text).toBe('');
    expect(service.delete).toHaveBeenCalledWith(CALLER, fileId);
  });

  it('refuses every route without a valid bearer token (401 envelope), before the service', async () => {
    for (const [method, path] of [
      ['get', '/api/user/audio-files'],
      ['post', '/api/audio-file'],
      ['get', `/api/audio-files/${CALLER}`],
    ] as const) {
      const response = await app.http()[method](path).expect(401);
      expect(response.body).toEqual({ error: expect.any(String), code: 'UNAUTHORIZED', request_id: expect.any(String) });
    }
    await app.http().get('/api/user/audio-files').set({ Authorization: 'Bearer forged.token.value' }).expect(401);
    expect(service.list).not.toHaveBeenCalled();
    expect(service.create).not.toHaveBeenCalled();
  });

  it('renders an unexpected service failure as a 500 envelope without internals', async () => {
    service.list.mockRejectedValue(new Error('secret internal detail'));
    const response = await app.http().get('/api/user/audio-files').set(asCaller()).expect(500);
    expect(response.body).toEqual({ error: 'Internal server error', code: 'INTERNAL_ERROR', request_id: expect.any(String) });
  });
});
