import { userRecordingsPrefix } from '../storage/object-keys';

/** Content types the app records in, and the key extension each is stored under. */
export const AUDIO_CONTENT_TYPES = {
  'audio/3gpp': '3gp',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/wav': 'wav',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
  'audio/amr': 'amr',
} as const;
export type AudioContentType = keyof typeof AUDIO_CONTENT_TYPES;
export const DEFAULT_AUDIO_CONTENT_TYPE: AudioContentType = 'audio/3gpp';

const RECORDING_KEY = /^users\/([0-9a-f-]{36})\/([0-9a-f-]{36})\.([a-z0-9]{2,4})$/;

export function recordingKey(userId: string, fileId: string, contentType: AudioContentType): string {
  return `${userRecordingsPrefix(userId)}${fileId}.${AUDIO_CONTENT_TYPES[contentType]}`;
}

/** The parts of a key issued by the upload-url endpoint, or undefined for any other key. */
export function parseRecordingKey(key: string): { userId: string; fileId: string } | undefined {
  const match = RECORDING_KEY.exec(key);
  return match ? { userId: match[1], fileId: match[2] } : undefined;
}

/** The content type of the plaintext, from the key's extension. */
export function contentTypeOfKey(key: string): string {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  const entry = Object.entries(AUDIO_CONTENT_TYPES).find(([, known]) => known === extension);
  return entry ? entry[0] : 'application/octet-stream';
}

/** Bound into every recording's ciphertext: an object moved to another user's or file's record fails to decrypt. */
export function recordingAad(userId: string, fileId: string): Buffer {
  return Buffer.from(`${userId}:${fileId}`);
}
