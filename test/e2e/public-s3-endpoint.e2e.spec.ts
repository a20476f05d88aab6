import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalS3, startS3rver } from '../../tools/local/s3-local';
import { PASSWORD, registerUser, startTestApp, TestApp, uploadRecording } from '../support/test-app';

/**
 * A phone reaches S3 at another address than the service does. Here the service talks to an s3rver on
 * every interface through 127.0.0.1, and clients are sent to 127.0.0.2 (also this machine, another name).
 */
describe('presigned URLs point at S3_PUBLIC_ENDPOINT', () => {
  let directory: string;
  let s3: LocalS3;
  let t: TestApp;
  let publicEndpoint: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'panzoto-s3-public-'));
    s3 = await startS3rver(directory, 0, '0.0.0.0');
    publicEndpoint = `http://127.0.0.2:${new URL(s3.endpoint).port}`;
    t = await startTestApp({ S3_ENDPOINT: s3.endpoint, S3_PUBLIC_ENDPOINT: publicEndpoint });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('signs upload and download URLs for the public address, and S3 accepts them there', async () => {
    const user = await registerUser(t.http);
    const slot = await t.http.post('/api/audio-files/upload-url').set(user.auth).send({ file_size: 10 }).expect(201);
    expect(slot.body.upload_url.startsWith(`${publicEndpoint}/`)).toBe(true);

    const plaintext = Buffer.from('a recording reached through the public address');
    const file = await uploadRecording(t, user, plaintext);
    const decrypted = await t.http.post('/api/decrypt-audio').set(user.auth).send({ password: PASSWORD, file_id: file.file_id }).expect(200);
    expect(decrypted.body.download_url.startsWith(`${publicEndpoint}/`)).toBe(true);
    const download = await fetch(decrypted.body.download_url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(plaintext)).toBe(true);
  });
});
