/** S3's largest object: 5 TiB. */
export const MAX_FILE_SIZE = 5 * 1024 ** 4;
export const S3_KEY_MAX_LENGTH = 1024;
/**
 * AWS's "safe" key characters, no leading slash, and no empty, "." or ".." path segments: keys that
 * mean the same object on every client and can never address outside a prefix.
 */
export const S3_KEY_PATTERN = /^(?!\/)(?!.*\/\/)(?!(?:.*\/)?\.\.?(?:\/|$))[A-Za-z0-9!_.*'()/-]+$/;

export interface AudioFile {
  id: string;
  userId: string;
  s3Key: string;
  /** Bytes; null when the client did not say. */
  fileSize: number | null;
  uploadedAt: Date;
  /** The user key the recording is encrypted under (FIRST_KEY_ID for recordings from before key ids). */
  keyId: number;
}
