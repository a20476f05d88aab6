import { testConfig } from '../../test/fakes/config';
import { InMemoryAudioFilesRepository } from '../../test/fakes/in-memory-audio-files.repository';
import { InMemoryUsersRepository } from '../../test/fakes/in-memory-users.repository';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { PasswordHasher } from '../auth/password-hasher';
import { UsersService } from '../users/users.service';
import { DecryptService } from './decrypt.service';

describe('DecryptService (repositories faked)', () => {
  const config = testConfig();
  const password = 'the right password';
  let hasher: PasswordHasher;
  let users: UsersService;
  let audioFiles: AudioFilesService;
  let decrypt: DecryptService;

  beforeAll(async () => {
    hasher = new PasswordHasher(config);
    await hasher.onModuleInit();
  });

  beforeEach(() => {
    users = new UsersService(new InMemoryUsersRepository(), config);
    audioFiles = new AudioFilesService(new InMemoryAudioFilesRepository(), config);
    decrypt = new DecryptService(users, hasher, audioFiles);
  });

  const aUser = async (email: string) =>
    users.create({ email, passwordHash: await hasher.hash(password), keySalt: '00'.repeat(32) });

  it('returns the file ready for transcription when the password and ownership check out', async () => {
    const alice = await aUser('alice@example.com');
    const file = await audioFiles.create(alice.id, { s3_key: 'users/a/1.3gp', file_size: 5 });
    const byId = await decrypt.prepare(alice.id, { password, file_id: file.id });
    expect(byId).toEqual({
      status: 'ready_for_transcription',
      file_info: { file_id: file.id, user_id: alice.id, s3_key: 'users/a/1.3gp', file_size: 5, uploaded_at: file.uploadedAt.toISOString() },
    });
    expect(await decrypt.prepare(alice.id, { password, s3_key: 'users/a/1.3gp' })).toEqual(byId);
  });

  it('refuses a wrong password with 401 INVALID_PASSWORD and does not look the file up', async () => {
    const alice = await aUser('alice@example.com');
    const lookup = jest.spyOn(audioFiles, 'getOwned');
    await expect(decrypt.prepare(alice.id, { password: 'wrong', file_id: 'x' })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_PASSWORD',
    });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('answers 404 for another user’s file', async () => {
    const alice = await aUser('alice@example.com');
    const bob = await aUser('bob@example.com');
    const file = await audioFiles.create(alice.id, { s3_key: 'users/a/1.3gp' });
    await expect(decrypt.prepare(bob.id, { password, file_id: file.id })).rejects.toMatchObject({ status: 404 });
    await expect(decrypt.prepare(bob.id, { password, s3_key: file.s3Key })).rejects.toMatchObject({ status: 404 });
  });

  it('answers 401 when the token’s account is gone', async () => {
    await expect(decrypt.prepare('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11', { password, file_id: 'x' })).rejects.toMatchObject({
      status: 401,
    });
  });
});
