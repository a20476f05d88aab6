/** A signed-in device: one refresh-token family. Deleting it ends the device's access. */
export interface Session {
  id: string;
  userId: string;
  /** SHA-256 of the current refresh token's secret; the token itself is never stored. */
  refreshHash: string;
  /** Hashes of refresh tokens already exchanged: presenting one again is reuse. */
  usedHashes: string[];
  createdAt: Date;
  lastUsedAt: Date;
  /** Sliding: each refresh pushes it REFRESH_TTL_SECONDS ahead. */
  expiresAt: Date;
  userAgent?: string;
}
