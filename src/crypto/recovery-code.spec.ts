import * as argon2 from 'argon2';
import { canonicalRecoveryCode, newRecoveryCode, RECOVERY_CODE_SYMBOLS } from './recovery-code';
import { recoveryKeyAad, unwrapKey } from './user-key';

describe('recovery codes', () => {
  it('are 7 groups of 4 Crockford base32 symbols (140 bits), different every time', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(RECOVERY_CODE_SYMBOLS * 5).toBeGreaterThanOrEqual(128);
    // Every symbol of the alphabet turns up: the symbols are not drawn from a smaller set.
    expect(new Set(codes.join('').replace(/-/g, '')).size).toBe(32);
  });

  it('read back as typed: any case, spaces or hyphens, O for 0 and I or L for 1', () => {
    const code = newRecoveryCode();
    const canonical = code.replace(/-/g, '');
    expect(canonicalRecoveryCode(code)).toBe(canonical);
    expect(canonicalRecoveryCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(canonical);
    expect(canonicalRecoveryCode('0000-1111-0000-1111-0000-1111-ABCD')).toBe(canonicalRecoveryCode('oOoO-iIlL-0000-1111-0000-1111-abcd'));
  });

  it('refuse what cannot be a code', () => {
    expect(canonicalRecoveryCode('ABCD')).toBeUndefined();
    expect(canonicalRecoveryCode('UUUU-1111-0000-1111-0000-1111-ABCD')).toBeUndefined();
    expect(canonicalRecoveryCode(`${newRecoveryCode()}-A`)).toBeUndefined();
    expect(canonicalRecoveryCode('ＡＢＣＤ-1111-0000-1111-0000-1111-ABCD')).toBeUndefined();
  });

  it('match the test vector of docs/encryption-format.md (recovery KEK and wrapped key)', async () => {
    const canonical = canonicalRecoveryCode('abcd-efgh-jkmn-pqrs-tvwx-yz01-2345') as string;
    expect(canonical).toBe('ABCDEFGHJKMNPQRSTVWXYZ012345');
    const kek = await argon2.hash(canonical, {
      type: argon2.argon2id,
      version: 19,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      hashLength: 32,
      salt: Buffer.alloc(32, 0x22),
      raw: true,
    });
    expect(kek.toString('hex')).toBe('c24c6f69ebf590727fdb699573f005f584d7813aa6409dc88f2ef5b90552af77');
    const wrapped = 'MzMzMzMzMzMzMzMzMA/WjYwPYr4inh+wwEVFXnDqet217UbJg97EO9Xi9k8i352vOy6Uz+FgpSZjzBqk';
    const key = unwrapKey(kek, wrapped, recoveryKeyAad('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11', 1));
    expect(key?.toString('hex')).toBe(Buffer.from([...Array(32).keys()]).toString('hex'));
    expect(unwrapKey(kek, wrapped, recoveryKeyAad('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11', 2))).toBeUndefined();
  });
});
