import { randomBytes } from 'node:crypto';
import { initialKeyring } from '../../src/users/user';
import { checkAudioFileRow, checkUserRow, coarseEmailKey, keySaltHex, normalisedEmail } from './row-rules';

const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
const USER = {
  user_id: '3F0C1E0E-7F5E-4A53-9A53-2F1A0B7B9C11',
  email: ' Someone@Example.com ',
  password_hash: HASH,
  key_salt: Buffer.alloc(32, 7),
  created_at: new Date('2020-01-01T00:00:00.123Z'),
};
const FILE = {
  file_id: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
  user_id: USER.user_id,
  s3_key: 'users/a/b.3gp',
  file_size: '1024',
  uploaded_at: new Date('2021-01-01T00:00:00Z'),
};

describe('the email rules', () => {
  it('normalise like the service (trim + lower-case)', () => {
    expect(normalisedEmail('  Alice@Example.COM\t')).toBe('alice@example.com');
    expect(normalisedEmail(null)).toBeUndefined();
  });

  it('give every character the same coarse key as its lower-case form, so a coarse key never splits an email group', () => {
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCodePoint(code);
      if (coarseEmailKey(character) !== coarseEmailKey(character.toLowerCase())) throw new Error(`U+${code.toString(16)} breaks the coarse key`);
    }
    const alphabet = ['A', 'b', 'K', 'k', 'I', 'i', '\u212A', '\u0130', 'ß', 'Σ', 'é', ' ', '\t', '\u00a0', '\u2003', '@', '.', '+'];
    for (let n = 0; n < 2000; n++) {
      const email = Array.from({ length: 1 + (n % 12) }, () => alphabet[randomBytes(1)[0] % alphabet.length]).join('');
      const normalised = normalisedEmail(email);
      // An email the service refuses (spaces or controls inside) belongs to no group.
      if (normalised !== undefined) expect(coarseEmailKey(email)).toBe(coarseEmailKey(normalised));
    }
  });
});

describe('checkUserRow', () => {
  it('converts a good row to the service’s user: lower-case UUID and email, hex salt, no user key', () => {
    expect(checkUserRow(USER)).toEqual({
      ok: true,
      warnings: [],
      value: {
        id: USER.user_id.toLowerCase(),
        email: 'someone@example.com',
        passwordHash: HASH,
        keySalt: '07'.repeat(32),
        createdAt: USER.created_at,
        ...initialKeyring(),
      },
    });
  });

  it.each([
    ['user_id', 'not-a-uuid', 'invalid_user_id'],
    ['user_id', null, 'invalid_user_id'],
    ['email', null, 'invalid_email'],
    ['email', ' ', 'invalid_email'],
    ['email', 'nope', 'invalid_email'],
    ['email', `${'a'.repeat(250)}@x.io`, 'invalid_email'],
    ['password_hash', 'hunter2', 'invalid_password_hash'],
    ['password_hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', 'invalid_password_hash'],
    ['password_hash', '$argon2id$v=19$m=65536,t=3,p=4$$', 'invalid_password_hash'],
    ['password_hash', HASH.replace('t=3,p=4', 't=3,t=4'), 'invalid_password_hash'],
    ['key_salt', Buffer.alloc(8), 'invalid_key_salt'],
    ['key_salt', Buffer.alloc(33), 'invalid_key_salt'],
    ['key_salt', 'ab'.repeat(20), 'invalid_key_salt'],
    ['created_at', null, 'invalid_created_at'],
    ['created_at', new Date(Number.NaN), 'invalid_created_at'],
    ['created_at', new Date('1969-12-31T23:59:59Z'), 'invalid_created_at'],
  ])('refuses %s = %p (%s)', (column, value, reason) => {
    expect(checkUserRow({ ...USER, [column]: value })).toMatchObject({ ok: false, reason });
  });

  it('copies a 16-byte key salt exactly, with a warning', () => {
    const salt = randomBytes(16);
    expect(checkUserRow({ ...USER, key_salt: salt })).toMatchObject({
      ok: true,
      value: { keySalt: salt.toString('hex') },
      warnings: [{ code: 'key_salt_16_bytes' }],
    });
    expect(checkUserRow({ ...USER, key_salt: salt.toString('hex') })).toMatchObject({ ok: true, value: { keySalt: salt.toString('hex') } });
  });

  it('migrates a NULL key salt as none, with a warning (the first login gives the account one)', () => {
    expect(checkUserRow({ ...USER, key_salt: null })).toMatchObject({ ok: true, value: { keySalt: '' }, warnings: [{ code: 'key_salt_missing' }] });
  });

  it("accepts argon2i and argon2d hashes, a PHC string without a version, and parameters in node-argon2 0.45's order (m, p, t)", () => {
    for (const hash of [
      HASH.replace('argon2id', 'argon2i'),
      HASH.replace('argon2id', 'argon2d'),
      HASH.replace('v=19$', ''),
      HASH.replace('t=3,p=4', 'p=4,t=3'),
    ]) {
      expect(checkUserRow({ ...USER, password_hash: hash }).ok).toBe(true);
    }
  });
});

describe('keySaltHex', () => {
  it('takes 32 (or 16) bytes of bytea, or as many in hex in a text column', () => {
    const bytes = randomBytes(32);
    expect(keySaltHex(bytes)).toBe(bytes.toString('hex'));
    expect(keySaltHex(bytes.toString('hex').toUpperCase())).toBe(bytes.toString('hex'));
    expect(keySaltHex(`\\x${bytes.toString('hex')}`)).toBe(bytes.toString('hex'));
    expect(keySaltHex(bytes.toString('base64'))).toBeUndefined();
  });
});

describe('checkAudioFileRow', () => {
  it('converts a good row; int8 text, int4 numbers and numeric "n.0" are sizes; null is no size', () => {
    expect(checkAudioFileRow(FILE)).toMatchObject({ ok: true, value: { fileSize: 1024, userId: USER.user_id.toLowerCase() }, warnings: [] });
    expect(checkAudioFileRow({ ...FILE, file_size: 7 })).toMatchObject({ ok: true, value: { fileSize: 7 } });
    expect(checkAudioFileRow({ ...FILE, file_size: '12.000' })).toMatchObject({ ok: true, value: { fileSize: 12 } });
    expect(checkAudioFileRow({ ...FILE, file_size: '-0' })).toMatchObject({ ok: true, value: { fileSize: 0 } });
    expect(checkAudioFileRow({ ...FILE, file_size: null })).toMatchObject({ ok: true, value: { fileSize: null } });
  });

  it.each([
    ['file_id', 'x', 'invalid_file_id'],
    ['user_id', 'x', 'invalid_owner_id'],
    ['user_id', null, 'invalid_owner_id'],
    ['s3_key', '', 'invalid_s3_key'],
    ['s3_key', null, 'invalid_s3_key'],
    ['s3_key', 'é'.repeat(513), 'invalid_s3_key'],
    ['file_size', '-1', 'negative_file_size'],
    ['file_size', -3, 'negative_file_size'],
    ['file_size', '1.5', 'invalid_file_size'],
    ['file_size', String(6 * 1024 ** 4), 'invalid_file_size'],
    ['uploaded_at', null, 'invalid_uploaded_at'],
  ])('refuses %s = %p (%s)', (column, value, reason) => {
    expect(checkAudioFileRow({ ...FILE, [column]: value })).toMatchObject({ ok: false, reason });
  });

  it('migrates a key outside the API’s pattern, with a warning', () => {
    expect(checkAudioFileRow({ ...FILE, s3_key: 'old recordings/1 (copy).m4a' })).toMatchObject({
      ok: true,
      warnings: [{ code: 's3_key_outside_api_pattern' }],
    });
  });
});
