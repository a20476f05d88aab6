import { normaliseEmail } from './email';

const accepted = (raw: string): string => {
  const result = normaliseEmail(raw);
  if (!result.ok) throw new Error(`${JSON.stringify(raw)} was refused: ${result.problem}`);
  return result.email;
};

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(accepted('  Alice@Example.COM\t')).toBe('alice@example.com');
  });

  it('gives composed and decomposed accents one form (NFC)', () => {
    const composed = 'jos\u00e9@example.com';
    const decomposed = 'jose\u0301@example.com';
    expect(composed).not.toBe(decomposed);
    expect(accepted(decomposed)).toBe(composed);
    expect(accepted(composed)).toBe(composed);
  });

  it('folds compatibility forms to their plain form (NFKC): full-width letters, ligatures, the Kelvin sign', () => {
    expect(accepted('\uff46\uff55\uff4c\uff4c\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d')).toBe('full@example.com');
    expect(accepted('\ufb01le@example.com')).toBe('file@example.com');
    expect(accepted('\u212Aate@example.com')).toBe('kate@example.com');
  });

  it.each([
    ['a zero-width space', 'ali\u200bce@example.com'],
    ['a zero-width joiner', 'ali\u200dce@example.com'],
    ['a right-to-left override', 'ali\u202ece@example.com'],
    ['a left-to-right isolate', 'ali\u2066ce@example.com'],
    ['a soft hyphen', 'ali\u00adce@example.com'],
    ['a byte-order mark inside', 'ali\ufeffce@example.com'],
    ['a tab inside', 'ali\tce@example.com'],
    ['a NUL', 'ali\u0000ce@example.com'],
    ['a no-break space inside', 'ali\u00a0ce@example.com'],
    ['a line separator', 'ali\u2028ce@example.com'],
    ['a private-use character', 'ali\ue000ce@example.com'],
    ['a lone surrogate', 'ali\ud800ce@example.com'],
  ])('refuses %s', (_name, raw) => {
    expect(normaliseEmail(raw)).toEqual({ ok: false, problem: expect.stringMatching(/invisible/) });
  });

  it('is idempotent for every code point, alone and inside an address', () => {
    for (let code = 0; code <= 0x10ffff; code++) {
      const character = String.fromCodePoint(code);
      for (const raw of [character, `a${character}b@example.com`]) {
        const once = normaliseEmail(raw);
        if (!once.ok) continue;
        const twice = normaliseEmail(once.email);
        if (!twice.ok || twice.email !== once.email) throw new Error(`U+${code.toString(16)} is not stable under normalisation`);
      }
    }
  });

  it('leaves no forbidden character in an accepted address', () => {
    for (let code = 0; code <= 0x10ffff; code++) {
      const result = normaliseEmail(`a${String.fromCodePoint(code)}b@example.com`);
      if (result.ok && /[\p{Cc}\p{Cf}\p{Z}]/u.test(result.email)) throw new Error(`U+${code.toString(16)} slipped through`);
    }
  });
});
