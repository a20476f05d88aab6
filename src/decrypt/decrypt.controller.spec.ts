import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { controllerSpec } from '../../test/support/controller-app';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { DecryptController } from './decrypt.controller';
import { DecryptedCopy, DecryptService } from './decrypt.service';
import { mapDecryptedCopy } from './dto/decrypt-audio.dto';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

describe('DecryptController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(DecryptController, [DecryptService]);
  const service = app.get(DecryptService);
  const fileId = randomUUID();
  const asCaller = () => app.bearer(CALLER);
  const copy: DecryptedCopy = {
    jobId: randomUUID(),
    file: {
      id: fileId,
      userId: CALLER,
      s3Key: `users/${CALLER}/${fileId}.3gp`,
      fileSize: 3056,
      uploadedAt: new Date('2026-11-25T10:00:00.000Z'),
      keyId: 1,
    },
    downloadUrl: 'https://s3.example/get',
    downloadExpiresAt: new Date('2026-11-25T10:15:00.000Z'),
  };

  it('decrypts the caller’s file to a copy by default and answers the service’s copy as its DTO (200)', async () => {
    service.decryptToCopy.mockResolvedValue(copy);
    await app.http().post('/api/decrypt-audio').set(asCaller()).send({ password: 'pw', file_id: fileId }).expect(200, mapDecryptedCopy(copy));
    expect(service.decryptToCopy).toHaveBeenCalledWith(
      CALLER,
      { password: 'pw', file_id: fileId },
      expect.objectContaining({ ip: expect.any(String) }),
    );
    expect(service.decryptToStream).not.toHaveBeenCalled();
  });

  it.each([
    ['Accept: audio/*', { accept: 'audio/*' }, ''],
    ['?mode=stream', {}, '?mode=stream'],
  ])('streams the audio with %s: exact length, its content type, not cached', async (_name, headers, query) => {
    const audio = randomBytes(5000);
    service.decryptToStream.mockResolvedValue({ contentType: 'audio/3gpp', length: audio.length, body: Readable.from([audio]) });
    const response = await app
      .http()
      .post(`/api/decrypt-audio${query}`)
      .set(asCaller())
      .set(headers)
      .send({ password: 'pw', s3_key: `users/${CALLER}/${fileId}.3gp` })
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(response.headers).toMatchObject({ 'content-type': 'audio/3gpp', 'content-length': String(audio.length), 'cache-control': 'no-store' });
    expect((response.body as Buffer).equals(audio)).toBe(true);
    expect(service.decryptToStream).toHaveBeenCalledWith(CALLER, { password: 'pw', s3_key: `users/${CALLER}/${fileId}.3gp` }, expect.any(Object));
    expect(service.decryptToCopy).not.toHaveBeenCalled();
  });

  it.each([
    ['', { file_id: fileId }, 'password'],
    ['', { password: 'pw' }, 'file_id'],
    ['', { password: 'pw', file_id: 'not-a-uuid' }, 'file_id'],
    ['', { password: 'pw', file_id: fileId, user_id: CALLER }, 'user_id'],
    ['?mode=download', { password: 'pw', file_id: fileId }, 'mode'],
  ])('refuses POST /api/decrypt-audio%s %j with 400 naming %s, without calling the service', async (query, body, field) => {
    const response = await app.http().post(`/api/decrypt-audio${query}`).set(asCaller()).send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })], request_id: expect.any(String) });
    expect(service.decryptToCopy).not.toHaveBeenCalled();
    expect(service.decryptToStream).not.toHaveBeenCalled();
  });

  it('passes a wrong password and a tampered recording on as 401 and 422 envelopes', async () => {
    service.decryptToCopy.mockRejectedValueOnce(ApiException.unauthorized('Invalid password', ErrorCode.INVALID_PASSWORD));
    const wrong = await app.http().post('/api/decrypt-audio').set(asCaller()).send({ password: 'x', file_id: fileId }).expect(401);
    expect(wrong.body).toEqual({ error: 'Invalid password', code: 'INVALID_PASSWORD', request_id: expect.any(String) });
    service.decryptToCopy.mockRejectedValueOnce(new ApiException(422, ErrorCode.DECRYPTION_FAILED, 'The recording could not be decrypted'));
    const tampered = await app.http().post('/api/decrypt-audio').set(asCaller()).send({ password: 'pw', file_id: fileId }).expect(422);
    expect(tampered.body).toMatchObject({ code: 'DECRYPTION_FAILED', request_id: expect.any(String) });
  });

  it('renders one of the caller’s jobs, with its download link', async () => {
    const jobId = randomUUID();
    service.getJob.mockResolvedValue({
      job: {
        id: jobId,
        userId: CALLER,
        fileId,
        createdAt: new Date('2026-11-25T10:00:00.000Z'),
        status: 'completed',
        outputKey: 'decrypted/x',
        expiresAt: new Date('2026-11-26T10:00:00.000Z'),
      },
      downloadUrl: 'https://s3.example/get',
    });
    await app
      .http()
      .get(`/api/decrypt-jobs/${jobId}`)
      .set(asCaller())
      .expect(200, {
        job: {
          job_id: jobId,
          file_id: fileId,
          status: 'completed',
          created_at: '2026-11-25T10:00:00.000Z',
          expires_at: '2026-11-26T10:00:00.000Z',
          download_url: 'https://s3.example/get',
        },
      });
    expect(service.getJob).toHaveBeenCalledWith(CALLER, jobId);
  });

  it('refuses a job id that is not a UUID (400) and every route without a token (401)', async () => {
    const bad = await app.http().get('/api/decrypt-jobs/abc').set(asCaller()).expect(400);
    expect(bad.body).toMatchObject({ error: 'job_id must be a UUID', code: 'BAD_REQUEST' });
    await app.http().get(`/api/decrypt-jobs/${randomUUID()}`).expect(401);
    await app.http().post('/api/decrypt-audio').send({ password: 'pw', file_id: fileId }).expect(401);
    expect(service.getJob).not.toHaveBeenCalled();
    expect(service.decryptToCopy).not.toHaveBeenCalled();
  });
});
