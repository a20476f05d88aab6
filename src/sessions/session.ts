/** A signed-in device: one refresh-token family. Deleting it ends the device's access. */
export interface Session {
  id: string;
  userId: string;
  /** SHA-256 of the current refresh token's secret; the token itself is never stored. */
  refreshHash: string;
  /** Hashes of refresh tokens already exchanged, latest first: presenting one again is reuse. */
  usedHashes: string[];
  /**
   * The current refresh secret, sealed under the one it replaced (see refresh-successor.ts): only a
   * holder of that previous token can recover it, to repeat a refresh whose response was lost.
   */
  sealedSuccessor?: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** Sliding: each refresh pushes it REFRESH_TTL_SECONDS ahead. */
  expiresAt: Date;
  userAgent?: string;
}
