import type { AccountToken, AccountTokenPurpose } from '../../src/recovery/account-tokens/account-token';
import { AccountTokensRepository } from '../../src/recovery/account-tokens/account-tokens.repository';

/** An AccountTokensRepository in a Map, for service tests; the DynamoDB one is tested against DynamoDB Local. */
export class InMemoryAccountTokensRepository extends AccountTokensRepository {
  readonly tokens = new Map<string, AccountToken>();

  async save(token: AccountToken): Promise<void> {
    this.tokens.set(token.hash, { ...token });
  }

  async find(hash: string, purpose: AccountTokenPurpose): Promise<AccountToken | undefined> {
    const token = this.tokens.get(hash);
    return token && token.purpose === purpose && token.expiresAt.getTime() > Date.now() ? { ...token } : undefined;
  }

  async consume(hash: string, purpose: AccountTokenPurpose): Promise<AccountToken | undefined> {
    const token = await this.find(hash, purpose);
    if (token) this.tokens.delete(hash);
    return token;
  }
}
