/** Where objects live in the bucket; docs/encryption-format.md and the infrastructure rely on these. */
export const RECORDINGS_PREFIX = 'users/';
export const DECRYPTED_PREFIX = 'decrypted/';

export function userRecordingsPrefix(userId: string): string {
  return `${RECORDINGS_PREFIX}${userId}/`;
}

export function userDecryptedPrefix(userId: string): string {
  return `${DECRYPTED_PREFIX}${userId}/`;
}

export function decryptedFilePrefix(userId: string, fileId: string): string {
  return `${userDecryptedPrefix(userId)}${fileId}/`;
}
