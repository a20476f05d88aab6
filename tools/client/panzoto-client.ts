import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AudioFileDto } from '../../src/audio-files/dto/audio-file.dto';
import { AudioContentType, recordingAad } from '../../src/audio-files/recording-keys';
import type { EncryptionDto } from '../../src/user-keys/dto/encryption.dto';
import { AES256_GCM_HKDF_1MB, ciphertextSize, EncryptingStream } from '../../src/crypto/streaming-aead';
import { deriveKeyEncryptionKey, unwrapUserKey } from '../../src/crypto/user-key';

/**
 * The reference client: what the mobile app does, in Node. It logs in, turns the password into the
 * user key exactly as docs/encryption-format.md describes, encrypts a recording as it streams it to
 * a presigned URL, and registers it. `npm run audio:encrypt`, the tests and the benchmark use it.
 */
export interface Session {
  token: string;
  refresh_token: string;
  expires_in: number;
  session_id: string;
  user_id: string;
  key_salt: string;
  encryption: EncryptionDto;
  /** Present once: at registration, or the first login of an account that has no recovery code. */
  recovery_code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'ApiError';
  }
}

type RecordingSource = { path: string } | { data: Buffer };

export class PanzotoClient {
  constructor(private readonly baseUrl: string) {}

  register(email: string, password: string): Promise<Session> {
    return this.call<Session>('POST', '/api/register', { email, password });
  }

  login(email: string, password: string): Promise<Session> {
    return this.call<Session>('POST', '/api/login', { email, password });
  }

  /** Mails a reset link if the address has an account that may receive one; answers the same either way. */
  async forgotPassword(email: string): Promise<void> {
    await this.call('POST', '/api/auth/forgot-password', { email });
  }

  /**
   * Sets a new password with the mailed token. With the recovery code every recording stays
   * readable; without it older recordings stay locked until redeemRecoveryCode. Signs out everywhere.
   */
  resetPassword(token: string, newPassword: string, recoveryCode?: string): Promise<{ all_recordings_readable: boolean; locked_key_ids: number[] }> {
    return this.call('POST', '/api/auth/reset-password', {
      token,
      new_password: newPassword,
      ...(recoveryCode ? { recovery_code: recoveryCode } : {}),
    });
  }

  /** Unlocks recordings a reset without the code locked; answers with the new recovery code to show. */
  redeemRecoveryCode(session: Session, recoveryCode: string, password: string): Promise<{ unlocked_key_ids: number[]; recovery_code: string }> {
    return this.call('POST', '/api/user/recovery-code/redeem', { recovery_code: recoveryCode, password }, session.token);
  }

  /** Argon2id(password, key_salt) with the parameters the server sent, then AES-256-GCM unwrap. */
  async unlockUserKey(session: Session, password: string): Promise<Buffer> {
    const { kdf, key_salt, wrapped_user_key } = session.encryption;
    const kek = await deriveKeyEncryptionKey(password, Buffer.from(key_salt, 'hex'), kdf);
    const userKey = unwrapUserKey(kek, wrapped_user_key, session.user_id);
    if (!userKey) throw new Error('The password does not unlock this account’s user key');
    return userKey;
  }

  /** Asks for an upload URL, streams the encrypted recording to it, and registers the file. */
  async uploadRecording(
    session: Session,
    userKey: Buffer,
    source: RecordingSource,
    contentType: AudioContentType = 'audio/3gpp',
  ): Promise<AudioFileDto> {
    const size = 'path' in source ? (await stat(source.path)).size : source.data.length;
    const encryptedSize = ciphertextSize(AES256_GCM_HKDF_1MB, size);
    const slot = await this.call<{ file_id: string; s3_key: string; upload_url: string }>(
      'POST',
      '/api/audio-files/upload-url',
      { content_type: contentType, file_size: encryptedSize },
      session.token,
    );
    const plaintext = 'path' in source ? createReadStream(source.path) : Readable.from([source.data]);
    const encryptor = new EncryptingStream(AES256_GCM_HKDF_1MB, userKey, recordingAad(session.user_id, slot.file_id));
    await putStream(slot.upload_url, encryptedSize, plaintext.pipe(encryptor));
    const { audio_file } = await this.call<{ audio_file: AudioFileDto }>(
      'POST',
      '/api/audio-file',
      { s3_key: slot.s3_key, file_id: slot.file_id },
      session.token,
    );
    return audio_file;
  }

  async call<T>(method: string, path: string, body: unknown, token?: string): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed as T;
  }
}

/** PUT with a known length, streamed: presigned S3 URLs need Content-Length and no chunked encoding. */
async function putStream(url: string, length: number, body: Readable): Promise<void> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve, reject) => {
    const request = send(target, { method: 'PUT', headers: { 'content-length': String(length) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () =>
        (response.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`upload failed: HTTP ${response.statusCode} ${text}`)),
      );
    });
    request.on('error', reject);
    pipeline(body, request).catch(reject);
  });
}
