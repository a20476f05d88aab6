import { testConfig } from '../../test/fakes/config';
import { KEK_VECTOR } from '../../test/crypto/tink-test-vectors';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  beforeAll(async () => {
    hasher = new PasswordHasher(testConfig({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1' }));
    await hasher.onModuleInit();
  });

  it('hashes with Argon2id and the configured parameters in PHC order (m,t,p), salted per hash', async () => {
    const first = await hasher.hash('correct horse battery');
    const second = await hasher.hash('correct horse battery');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
  });

  it('verifies the right password only', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse batterY')).toBe(false);
  });

  it('never matches when there is no account, even for the dummy password', async () => {
    expect(await hasher.verify(undefined, 'dummy password that never matches an account')).toBe(false);
  });

  it('derives the documented key-encryption key (docs/encryption-format.md)', async () => {
    const kek = await hasher.deriveKey(KEK_VECTOR.password, Buffer.from(KEK_VECTOR.keySaltHex, 'hex'), KEK_VECTOR.kdf);
    expect(kek.toString('hex')).toBe(KEK_VECTOR.kekHex);
  });

  it('treats a corrupt stored hash as a mismatch rather than an error', async () => {
    expect(await hasher.verify('not-a-phc-string', 'anything')).toBe(false);
  });

  it('re-hashes only hashes weaker than today, whatever the order of their parameters', () => {
    const tail = '$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    expect(hasher.needsRehash(`$argon2id$v=19$m=19456,t=2,p=1${tail}`)).toBe(false);
    expect(hasher.needsRehash(`$argon2id$v=19$m=19456,p=1,t=2${tail}`)).toBe(false);
    expect(hasher.needsRehash(`$argon2id$v=19$m=65536,p=4,t=3${tail}`)).toBe(false);
    expect(hasher.needsRehash(`$argon2id$v=19$m=8192,t=2,p=1${tail}`)).toBe(true);
    expect(hasher.needsRehash(`$argon2id$v=19$p=1,t=1,m=19456${tail}`)).toBe(true);
    expect(hasher.needsRehash(`$argon2i$v=19$m=19456,t=2,p=1${tail}`)).toBe(true);
  });
});
