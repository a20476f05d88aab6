import { canonicalRecoveryCode, newRecoveryCode, RECOVERY_CODE_SYMBOLS } from './recovery-code';

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
});
