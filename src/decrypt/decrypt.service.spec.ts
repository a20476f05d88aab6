import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { recordingAad } from '../audio-files/recording-keys';
import { PasswordHasher } from '../password-gate/password-hasher';
import { UserKeysService } from '../user-keys/user-keys.service';
import { AES256_GCM_HKDF_1MB, ciphertextSize, encrypt } from '../crypto/streaming-aead';
import type { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { DecryptService } from './decrypt.service';
import { mapDecryptedCopy } from './dto/decrypt-audio.dto';

describe('DecryptService (repositories faked)', () => {
  const password = 'the right password';
  const client = { ip: '203.0.113.7' };
  let hasher: PasswordHasher;
  let users: UsersService;
  let userKeys: UserKeysService;
  let storage: FakeRepositories['storage'];
  let audioFiles: AudioFilesService;
  let jobs: FakeRepositories['decryptJobs'];
  let decrypt: DecryptService;
  let fakes: FakeRepositories;

  beforeEach(async () => {
    const { sut, repositories, get } = await newTestService(DecryptService);
    decrypt = sut;
    fakes = repositories;
    ({ storage, decryptJobs: jobs } = repositories);
    [hasher, users, userKeys, audioFiles] = [get(PasswordHasher), get(UsersService), get(UserKeysService), get(AudioFilesService)];
  });

  const aUser = async (email: string): Promise<User> => {
    const id = randomBytes(16)
      .toString('hex')
      .replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5');
    const keySalt = randomBytes(32).toString('hex');
    return users.create({ id, email, passwordHash: await hasher.hash(password), keySalt, userKey: await userKeys.create(id, password, keySalt) });
  };

  /** Encrypts `plaintext` as the app would and registers it. */
  const aRecording = async (user: User, plaintext: Buffer, tamper?: (ciphertext: Buffer) => Buffer) => {
    const userKey = (await userKeys.open({ action: 'decrypt', account: user.id, client }, password)).get(user.keyId) as Buffer;
    const size = ciphertextSize(AES256_GCM_HKDF_1MB, plaintext.length);
    const slot = await audioFiles.uploadSlot(user.id, { content_type: 'audio/3gpp', file_size: size }, client);
    const ciphertext = await encrypt(AES256_GCM_HKDF_1MB, userKey, recordingAad(user.id, slot.fileId), plaintext);
    storage.put(slot.url, tamper ? tamper(ciphertext) : ciphertext);
    return audioFiles.create(user.id, { s3_key: slot.s3Key });
  };

  const decryptedCopies = () => [...storage.objects.keys()].filter((key) => key.startsWith('decrypted/'));

  it('writes the plaintext to a decrypted copy and records a completed job', async () => {
    const alice = await aUser('alice@example.com');
    const plaintext = randomBytes(3000);
    const file = await aRecording(alice, plaintext);
    const result = mapDecryptedCopy(await decrypt.decryptToCopy(alice.id, { password, file_id: file.id }, client));
    expect(result).toMatchObject({ status: 'ready_for_transcription', file_info: { file_id: file.id }, job_id: expect.any(String) });
    const [copy] = decryptedCopies();
    expect(copy).toMatch(new RegExp(`^decrypted/${alice.id}/${file.id}/${result.job_id}\\.3gp$`));
    expect(storage.objects.get(copy)?.equals(plaintext)).toBe(true);
    expect(jobs.jobs.get(result.job_id)).toMatchObject({ status: 'completed', outputKey: copy, userId: alice.id, fileId: file.id });
  });

  it('streams the plaintext with its exact length and stores nothing', async () => {
    const alice = await aUser('alice@example.com');
    const plaintext = randomBytes(2 * 1024 * 1024 + 17);
    const file = await aRecording(alice, plaintext);
    const audio = await decrypt.decryptToStream(alice.id, { password, s3_key: file.s3Key }, client);
    expect(audio).toMatchObject({ contentType: 'audio/3gpp', length: plaintext.length });
    expect((await buffer(audio.body)).equals(plaintext)).toBe(true);
    expect(decryptedCopies()).toEqual([]);
  });

  it('refuses a wrong password with 401 before reading storage', async () => {
    const alice = await aUser('alice@example.com');
    const file = await aRecording(alice, randomBytes(10));
    await expect(decrypt.decryptToCopy(alice.id, { password: 'wrong', file_id: file.id }, client)).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_PASSWORD',
    });
    expect(storage.reads).toBe(0);
  });

  it('answers 422 DECRYPTION_FAILED for a tampered recording, leaving no copy and a failed job', async () => {
    const alice = await aUser('alice@example.com');
    const file = await aRecording(alice, randomBytes(5000), (ciphertext) => {
      ciphertext[100] ^= 1;
      return ciphertext;
    });
    await expect(decrypt.decryptToCopy(alice.id, { password, file_id: file.id }, client)).rejects.toMatchObject({
      status: 422,
      code: 'DECRYPTION_FAILED',
    });
    expect(decryptedCopies()).toEqual([]);
    expect([...jobs.jobs.values()].map((job) => job.status)).toEqual(['failed']);
  });

  it('errors the stream when a later segment fails, after the first was sent', async () => {
    const alice = await aUser('alice@example.com');
    const file = await aRecording(alice, randomBytes(1024 * 1024 + 5000), (ciphertext) => {
      ciphertext[ciphertext.length - 100] ^= 1;
      return ciphertext;
    });
    const audio = await decrypt.decryptToStream(alice.id, { password, file_id: file.id }, client);
    await expect(buffer(audio.body)).rejects.toThrow(/authentication/);
  });

  it('answers 404 when the record exists but its object is gone', async () => {
    const alice = await aUser('alice@example.com');
    const file = await aRecording(alice, randomBytes(10));
    storage.objects.delete(file.s3Key);
    await expect(decrypt.decryptToCopy(alice.id, { password, file_id: file.id }, client)).rejects.toMatchObject({
      status: 404,
      code: 'OBJECT_NOT_FOUND',
    });
  });

  it('gives a migrated account (no user key yet) its key when the password is right', async () => {
    const id = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';
    await users.create({ id, email: 'old@example.com', passwordHash: await hasher.hash(password), keySalt: randomBytes(32).toString('hex') });
    await expect(decrypt.decryptToCopy(id, { password: 'wrong', file_id: id }, client)).rejects.toMatchObject({ status: 401 });
    await expect(decrypt.decryptToCopy(id, { password, file_id: id }, client)).rejects.toMatchObject({ status: 404 });
    expect((await users.getById(id)).userKey).toBeDefined();
  });

  it('holds a decryption slot until the streamed body closes, read or abandoned, and until a copy is written', async () => {
    const { sut: bounded } = await newTestService(DecryptService, { env: { DECRYPT_CONCURRENCY_PER_ACCOUNT: '1' }, repositories: fakes });
    const alice = await aUser('alice@example.com');
    const plaintext = randomBytes(3 * 1024 * 1024);
    const file = await aRecording(alice, plaintext);
    const first = await bounded.decryptToStream(alice.id, { password, file_id: file.id }, client);
    await expect(bounded.decryptToCopy(alice.id, { password, file_id: file.id }, client)).rejects.toMatchObject({ status: 429 });
    first.body.destroy();
    await new Promise((resolve) => first.body.once('close', resolve));
    const second = await bounded.decryptToStream(alice.id, { password, file_id: file.id }, client);
    expect((await buffer(second.body)).equals(plaintext)).toBe(true);
    await expect(bounded.decryptToCopy(alice.id, { password, file_id: file.id }, client).then(mapDecryptedCopy)).resolves.toMatchObject({
      status: 'ready_for_transcription',
    });
    await expect(bounded.decryptToCopy(alice.id, { password: 'wrong', file_id: file.id }, client)).rejects.toMatchObject({ status: 401 });
    await expect(bounded.decryptToCopy(alice.id, { password, file_id: file.id }, client)).resolves.toBeDefined();
  });

  it('shows a job only to its owner', async () => {
    const alice = await aUser('alice@example.com');
    const bob = await aUser('bob@example.com');
    const file = await aRecording(alice, randomBytes(10));
    const { jobId } = await decrypt.decryptToCopy(alice.id, { password, file_id: file.id }, client);
    await expect(decrypt.getJob(alice.id, jobId)).resolves.toMatchObject({ job: { id: jobId }, downloadUrl: expect.any(String) });
    await expect(decrypt.getJob(bob.id, jobId)).rejects.toMatchObject({ status: 404 });
  });
});
