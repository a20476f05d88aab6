import * as argon2 from 'argon2';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const USER_KEY_BYTES = 32;
/** Key salts made here; accounts migrated from the old system may have 16-byte ones, which work the same. */
export const KEY_SALT_BYTES = 32;
const WRAP_NONCE_BYTES = 12;
const WRAP_TAG_BYTES = 16;

/** Argon2id parameters of a key-encryption key; stored beside the wrapped key they unlock. */
export interface KdfParameters {
  algorithm: 'argon2id';
  /** Argon2 version 0x13. */
  version: 19;
  memory_kib: number;
  iterations: number;
  parallelism: number;
  key_length: 32;
}

/** The key-encryption key `kdf` derives from a password or recovery code and a key salt: raw Argon2id output. */
export function deriveKeyEncryptionKey(secret: string, salt: Buffer, kdf: KdfParameters): Promise<Buffer> {
  return argon2.hash(secret, {
    type: argon2.argon2id,
    version: kdf.version,
    memoryCost: kdf.memory_kib,
    timeCost: kdf.iterations,
    parallelism: kdf.parallelism,
    hashLength: kdf.key_length,
    salt,
    raw: true,
  });
}

export interface WrappedUserKey {
  /** base64(nonce ‖ AES-256-GCM ciphertext ‖ tag): 12 + 32 + 16 bytes. */
  wrapped: string;
  kdf: KdfParameters;
}

/** True when `stored` costs an attacker less than `current` (less memory or fewer iterations). */
export function weakerKdf(stored: KdfParameters, current: KdfParameters): boolean {
  return stored.memory_kib < current.memory_kib || stored.iterations < current.iterations;
}

/** Binds a wrapped key to its account: one user's wrapped key cannot be presented as another's. */
export function userKeyAad(userId: string): Buffer {
  return Buffer.from(`panzoto/user-key/v1:${userId}`);
}

/** A fresh key salt, as the hex the client receives. */
export function newKeySalt(): string {
  return randomBytes(KEY_SALT_BYTES).toString('hex');
}

export function newUserKey(): Buffer {
  return randomBytes(USER_KEY_BYTES);
}

/**
 * Binds a key wrapped under a recovery code to its account and key id, so no wrapped value can stand
 * in for another account's or another key's.
 */
export function recoveryKeyAad(userId: string, keyId: number): Buffer {
  return Buffer.from(`panzoto/recovery-key/v1:${userId}:${keyId}`);
}

/** base64(nonce ‖ AES-256-GCM(kek, key, aad) ‖ tag). */
export function wrapKey(kek: Buffer, key: Buffer, aad: Buffer): string {
  const nonce = randomBytes(WRAP_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([nonce, cipher.update(key), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** The key, or undefined when the key-encryption key (the password or recovery code) is wrong. */
export function unwrapKey(kek: Buffer, wrapped: string, aad: Buffer): Buffer | undefined {
  const bytes = Buffer.from(wrapped, 'base64');
  if (bytes.length !== WRAP_NONCE_BYTES + USER_KEY_BYTES + WRAP_TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, WRAP_NONCE_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(bytes.length - WRAP_TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(WRAP_NONCE_BYTES, bytes.length - WRAP_TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function wrapUserKey(kek: Buffer, userKey: Buffer, userId: string): string {
  return wrapKey(kek, userKey, userKeyAad(userId));
}

/** The user key, or undefined when the key-encryption key is wrong (that is, the password is). */
export function unwrapUserKey(kek: Buffer, wrapped: string, userId: string): Buffer | undefined {
  return unwrapKey(kek, wrapped, userKeyAad(userId));
}
