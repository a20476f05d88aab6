import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Derived from the previous secret, never equal to its stored hash (which is SHA-256 of the secret alone). */
const sealingKey = (previousSecret: string): Buffer => createHash('sha256').update('panzoto/refresh-successor/v1\0').update(previousSecret).digest();

/**
 * The new refresh secret under AES-256-GCM with a key derived from the secret it replaces, bound to
 * the session: stored with the session, it lets only a holder of the previous token recover the
 * current one (a refresh repeated after its response was lost), and reveals nothing to a reader of
 * the table, which holds only hashes of the secrets.
 */
export function sealSuccessor(previousSecret: string, nextSecret: string, sessionId: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(previousSecret), nonce).setAAD(Buffer.from(sessionId));
  const sealed = Buffer.concat([nonce, cipher.update(nextSecret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64url');
}

/** The sealed secret, or undefined when `previousSecret` is not the one it was sealed under. */
export function openSuccessor(sealed: string, previousSecret: string, sessionId: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(previousSecret), bytes.subarray(0, NONCE_BYTES)).setAAD(Buffer.from(sessionId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
