import createClient from 'openapi-fetch';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { recordingAad } from '../../src/audio-files/recording-keys';
import { PanzotoClient } from '../../tools/client/panzoto-client';
import { AES256_GCM_HKDF_1MB, ciphertextSize, EncryptingStream } from '../../src/crypto/streaming-aead';
// Written by openapi-typescript from openapi.json when the test runs (see generated-client.e2e.spec.ts).
import type { operations, paths } from './generated/openapi';
import type { GeneratedClientFlow } from './flow-result';

// What a generator needs from the document, checked at compile time: named operations, the streamed
// audio as binary, and a decrypt body that must name its file.
type DecryptAudio = operations['decryptAudio'];
type DecryptBody = DecryptAudio['requestBody'] extends { content: { 'application/json': infer Body } } ? Body : never;
export const documentShapeChecks = {
  streamedAudio: '' satisfies DecryptAudio['responses'][200]['content']['audio/3gpp'],
  // @ts-expect-error neither file_id nor s3_key
  bodyWithoutFile: { password: 'x' } satisfies DecryptBody,
  bodyWithFileId: { password: 'x', file_id: randomUUID() } satisfies DecryptBody,
  operations: ['register', 'listAudioFiles', 'decryptAudio'] satisfies (keyof operations)[],
};

function required<T>(data: T | undefined, step: string, error: unknown): T {
  if (data === undefined) throw new Error(`${step} failed: ${JSON.stringify(error)}`);
  return data;
}

/**
 * What an app team does with a client generated from openapi.json: every call below is typed by the
 * generated `paths`, so the test's type check fails when the document disagrees with this usage.
 */
export const runGeneratedClientFlow: GeneratedClientFlow = async (baseUrl, password, plaintext) => {
  const email = `generated-${randomUUID()}@example.com`;
  const anonymous = createClient<paths>({ baseUrl });
  const registered = await anonymous.POST('/api/register', { body: { email, password } });
  const session = required(registered.data, 'register', registered.error);
  const expiresIn: number = session.expires_in;
  if (!Number.isInteger(expiresIn)) throw new Error(`expires_in is not an integer: ${expiresIn}`);
  const duplicate = await anonymous.POST('/api/register', { body: { email, password } });

  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${session.token}` } });
  const uploadUrl = await client.POST('/api/audio-files/upload-url', {
    body: { content_type: 'audio/3gpp', file_size: ciphertextSize(AES256_GCM_HKDF_1MB, plaintext.length) },
  });
  const slot = required(uploadUrl.data, 'upload-url', uploadUrl.error);

  const userKey = await new PanzotoClient(baseUrl).unlockUserKey(session, password);
  const encryptor = new EncryptingStream(AES256_GCM_HKDF_1MB, userKey, recordingAad(session.user_id, slot.file_id));
  const ciphertext = Buffer.concat(await Readable.from([plaintext]).pipe(encryptor).toArray());
  const put = await fetch(slot.upload_url, { method: slot.method, body: ciphertext });
  if (!put.ok) throw new Error(`PUT to the upload URL failed: HTTP ${put.status}`);

  const created = await client.POST('/api/audio-file', { body: { s3_key: slot.s3_key, file_id: slot.file_id } });
  const file = required(created.data, 'register file', created.error).audio_file;

  const listed = await client.GET('/api/user/audio-files', { params: { query: { limit: 10 } } });
  const page = required(listed.data, 'list', listed.error);

  const stream = await client.POST('/api/decrypt-audio', {
    params: { query: { mode: 'stream' } },
    body: { password, file_id: file.file_id },
    headers: { Accept: 'audio/3gpp' },
    parseAs: 'arrayBuffer',
  });
  const audio = required(stream.data, 'decrypt', stream.error);

  const deleted = await client.DELETE('/api/audio-files/{file_id}', { params: { path: { file_id: file.file_id } } });
  const afterDelete = await client.GET('/api/audio-files/{file_id}', { params: { path: { file_id: file.file_id } } });
  return {
    listedFileIds: page.audio_files.map((listedFile) => listedFile.file_id),
    decrypted: Buffer.from(audio),
    duplicateRegistrationCode: duplicate.error?.code,
    deletedStatus: deleted.response.status,
    afterDeleteCode: afterDelete.error?.code,
  };
};
