import { normaliseEmail } from '../../src/users/email';
import { checkUserRow, normalisedEmail } from './row-rules';

const ROW = {
  user_id: '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11',
  password_hash: '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
  key_salt: Buffer.alloc(32, 7),
  created_at: new Date('2020-01-01T00:00:00Z'),
};

describe('the migration normalises emails with the service’s own function', () => {
  it.each([
    ['NFD accents', 'Jose\u0301@Example.com', 'jos\u00e9@example.com'],
    ['full-width letters', '\uff26\uff55\uff4c\uff4c@example.com', 'full@example.com'],
    ['surrounding spaces', '  a@example.com ', 'a@example.com'],
  ])('stores %s as the service would look them up', (_name, stored, expected) => {
    expect(checkUserRow({ ...ROW, email: stored })).toMatchObject({ ok: true, value: { email: expected } });
    expect(normalisedEmail(stored)).toBe(expected);
    expect(normaliseEmail(stored)).toEqual({ ok: true, email: expected });
  });

  it('groups lookalike rows under one email, so they are reported as duplicates', () => {
    expect(normalisedEmail('jose\u0301@example.com')).toBe(normalisedEmail('jos\u00e9@example.com'));
    expect(normalisedEmail('\uff46ull@example.com')).toBe(normalisedEmail('full@example.com'));
  });

  it('skips a row whose email holds an invisible character, as the service would refuse it at login', () => {
    expect(checkUserRow({ ...ROW, email: 'ali\u200bce@example.com' })).toEqual({
      ok: false,
      reason: 'invalid_email',
      message: 'email has spaces, control or invisible characters',
    });
  });
});
