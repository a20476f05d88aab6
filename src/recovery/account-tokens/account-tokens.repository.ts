import type { AccountToken, AccountTokenPurpose } from './account-token';

/** Storage of mailed single-use tokens, by hash. */
export abstract class AccountTokensRepository {
  abstract save(token: AccountToken): Promise<void>;
  /** The unexpired token of that purpose, left in place (to check it before it is used). */
  abstract find(hash: string, purpose: AccountTokenPurpose): Promise<AccountToken | undefined>;
  /**
   * Deletes the token and returns it, only if it exists, has that purpose and has not expired: of
   * any number of concurrent uses exactly one gets it.
   */
  abstract consume(hash: string, purpose: AccountTokenPurpose): Promise<AccountToken | undefined>;
}
