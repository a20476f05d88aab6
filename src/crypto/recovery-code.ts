import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so nothing written down is ambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 7;
const GROUP_LENGTH = 4;
/** 28 symbols of 5 bits: 140 random bits. */
export const RECOVERY_CODE_SYMBOLS = GROUPS * GROUP_LENGTH;

/** What a typed code may look like before canonicalRecoveryCode reads it: symbols, spaces and hyphens. */
export const RECOVERY_CODE_PATTERN = /^[0-9A-Za-z\s-]{28,64}$/;

/** A new recovery code as it is shown to the user: `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`. */
export function newRecoveryCode(): string {
  // 32 divides 256: taking 5 bits of each random byte is uniform.
  const symbols = [...randomBytes(RECOVERY_CODE_SYMBOLS)].map((byte) => ALPHABET[byte & 31]).join('');
  return symbols.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

/**
 * The 28 symbols the key is derived from, as a person may have typed them: case, spaces and hyphens
 * do not matter, and O, I and L are read as 0, 1 and 1. Undefined when it cannot be a recovery code.
 */
export function canonicalRecoveryCode(typed: string): string | undefined {
  const symbols = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return symbols.length === RECOVERY_CODE_SYMBOLS && [...symbols].every((symbol) => ALPHABET.includes(symbol)) ? symbols : undefined;
}
