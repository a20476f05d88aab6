/** What the JWT guard attaches to the request once a token is verified. */
export interface AuthenticatedUser {
  userId: string;
  /** The session (device) the token was issued to. */
  sessionId: string;
}
