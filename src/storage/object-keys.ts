/** Where objects live in the bucket; docs/encryption-format.md and the infrastructure rely on these. */
export const RECORDINGS_PREFIX = 'users/';
export const DECRYPTED_PREFIX = 'decrypted/';
/** Uploads not yet registered; the bucket's lifecycle rule expires whatever stays here. */
export const UPLOADS_PREFIX = 'uploads/';
/** Days an unregistered upload lives (lifecycle rule of the stack and of `npm run dev`). */
export const UNREGISTERED_UPLOAD_DAYS = 1;

export function userRecordingsPrefix(userId: string): string {
  return `${RECORDINGS_PREFIX}${userId}/`;
}

export function userDecryptedPrefix(userId: string): string {
  return `${DECRYPTED_PREFIX}${userId}/`;
}

export function decryptedFilePrefix(userId: string, fileId: string): string {
  return `${userDecryptedPrefix(userId)}${fileId}/`;
}

export function userUploadsPrefix(userId: string): string {
  return `${UPLOADS_PREFIX}${userId}/`;
}

/** Where the upload URL of one file writes. Registration copies the object to the recording's key. */
export function pendingUploadPrefix(userId: string, fileId: string): string {
  return `${userUploadsPrefix(userId)}${fileId}/`;
}

/** The declared size is part of the key, so registration knows it without storing anything when the URL is issued. */
export function pendingUploadKey(userId: string, fileId: string, declaredBytes: number): string {
  return `${pendingUploadPrefix(userId, fileId)}${declaredBytes}`;
}

/** The size declared for a pending upload, or undefined for a key the service did not issue. */
export function declaredSizeOf(pendingKey: string): number | undefined {
  const match = /\/(\d{1,16})$/.exec(pendingKey);
  return match ? Number(match[1]) : undefined;
}
