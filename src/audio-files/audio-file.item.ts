import { FIRST_KEY_ID } from '../users/user';
import type { AudioFile } from './audio-file';

/** Partition-key prefix of the item that reserves an S3 key for one record (see docs/data-model.md). */
export const S3_KEY_CLAIM_PREFIX = 'S3KEY#';

interface AudioFileItem {
  file_id: string;
  user_id: string;
  s3_key: string;
  file_size?: number;
  uploaded_at: number;
  uploaded_at_iso: string;
  /** Absent for recordings under the first key (all recordings from before key ids). */
  key_id?: number;
}

interface S3KeyClaimItem {
  file_id: string;
  claimed_by: string;
  owner_user_id: string;
}

export function toAudioFileItem(file: AudioFile): AudioFileItem {
  return {
    file_id: file.id,
    user_id: file.userId,
    s3_key: file.s3Key,
    file_size: file.fileSize ?? undefined,
    uploaded_at: file.uploadedAt.getTime(),
    uploaded_at_iso: file.uploadedAt.toISOString(),
    key_id: file.keyId === FIRST_KEY_ID ? undefined : file.keyId,
  };
}

export function fromAudioFileItem(item: Record<string, unknown> | undefined): AudioFile | undefined {
  if (!item || typeof item.user_id !== 'string' || typeof item.s3_key !== 'string') return undefined;
  return {
    id: item.file_id as string,
    userId: item.user_id,
    s3Key: item.s3_key,
    fileSize: typeof item.file_size === 'number' ? item.file_size : null,
    uploadedAt: new Date(Number(item.uploaded_at)),
    keyId: typeof item.key_id === 'number' ? item.key_id : FIRST_KEY_ID,
  };
}

export function s3KeyClaimKey(s3Key: string): string {
  return `${S3_KEY_CLAIM_PREFIX}${s3Key}`;
}

export function toS3KeyClaimItem(file: AudioFile): S3KeyClaimItem {
  return { file_id: s3KeyClaimKey(file.s3Key), claimed_by: file.id, owner_user_id: file.userId };
}
