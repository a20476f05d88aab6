export type DecryptJobStatus = 'completed' | 'failed';

/** One decryption of one recording: who, which file, when, where the plaintext went, until when. */
export interface DecryptJob {
  id: string;
  userId: string;
  fileId: string;
  createdAt: Date;
  status: DecryptJobStatus;
  /** Key of the decrypted copy (absent when the job failed). */
  outputKey?: string;
  /** When the copy and this record expire (S3 lifecycle rule and DynamoDB TTL). */
  expiresAt: Date;
}
