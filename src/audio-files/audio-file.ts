export interface AudioFile {
  id: string;
  userId: string;
  s3Key: string;
  /** Bytes; null when the client did not say. */
  fileSize: number | null;
  uploadedAt: Date;
}

export interface AudioFileView {
  file_id: string;
  user_id: string;
  s3_key: string;
  file_size: number | null;
  uploaded_at: string;
}

export function toAudioFileView(file: AudioFile): AudioFileView {
  return {
    file_id: file.id,
    user_id: file.userId,
    s3_key: file.s3Key,
    file_size: file.fileSize,
    uploaded_at: file.uploadedAt.toISOString(),
  };
}
