import { newTestService } from '../../test/support/test-service';
import { RateLimitReport } from '../common/http/rate-limit-headers';
import { PasswordHasher } from './password-hasher';
import { GatedAction, PasswordGate } from './password-gate';

describe('PasswordGate (rate-limit counters faked)', () => {
  const limit = 4;
  const password = 'the right password';
  let hasher: PasswordHasher;
  let account: { passwordHash: string };
  let gate: PasswordGate;
  let verify: jest.SpyInstance;

  beforeEach(async () => {
    const built = await newTestService(PasswordGate, { env: { RATE_LIMIT_ACCOUNT_FAILURES: String(limit), RATE_LIMIT_IP_PER_MINUTE: '1000' } });
    [gate, hasher] = [built.sut, built.get(PasswordHasher)];
    account = { passwordHash: await hasher.hash(password) };
    verify = jest.spyOn(hasher, 'verify');
  });
  afterEach(() => verify.mockRestore());

  const client = () => ({ ip: '203.0.113.7', rateLimits: new RateLimitReport() });
  const status = (outcome: Promise<unknown>): Promise<number> =>
    outcome.then(
      () => 200,
      (error: { status: number }) => error.status,
    );
  /** The HTTP status the attempt ends in (200 for a pass). */
  const attempt = (
    guess: string,
    { name = 'alice', known = true, action = 'login' }: { name?: string; known?: boolean; action?: GatedAction } = {},
  ) => status(gate.admit({ action, account: name, client: client() }).then((admitted) => admitted.verify(guess, known ? account : undefined)));

  it('verifies at most `limit` of many concurrent wrong guesses; the rest are 429 without Argon2', async () => {
    const statuses = await Promise.all(Array.from({ length: 5 * limit }, (_, index) => attempt(`wrong-${index}`)));
    expect(statuses.filter((code) => code === 401)).toHaveLength(limit);
    expect(statuses.filter((code) => code === 429)).toHaveLength(4 * limit);
    expect(verify).toHaveBeenCalledTimes(limit);
  });

  it('refuses the right password with 429 and Retry-After once the budget is spent', async () => {
    for (let index = 0; index < limit; index++) expect(await attempt('wrong')).toBe(401);
    await expect(gate.admit({ action: 'login', account: 'alice', client: client() })).rejects.toMatchObject({
      status: 429,
      code: 'TOO_MANY_REQUESTS',
      retryAfterSeconds: expect.any(Number),
    });
    expect(verify).toHaveBeenCalledTimes(limit);
    // Budgets are per account and action.
    expect(await attempt(password, { name: 'bob' })).toBe(200);
    expect(await attempt(password, { action: 'decrypt' })).toBe(200);
  });

  it('gives the unit of a right password back', async () => {
    for (let index = 0; index < 3 * limit; index++) expect(await attempt(password)).toBe(200);
    for (let index = 0; index < limit; index++) expect(await attempt('wrong')).toBe(401);
    expect(await attempt(password)).toBe(429);
  });

  it('treats an unknown account exactly like a wrong password: a full verification, the same budget', async () => {
    const statuses = await Promise.all(Array.from({ length: 3 * limit }, () => attempt(password, { name: 'nobody', known: false })));
    expect(statuses.filter((code) => code === 401)).toHaveLength(limit);
    expect(statuses.filter((code) => code === 429)).toHaveLength(2 * limit);
    expect(verify).toHaveBeenCalledWith(undefined, password);
  });

  it('answers 401 with the code of its action', async () => {
    const admitted = (action: GatedAction) => gate.admit({ action, account: 'a', client: client() });
    await expect((await admitted('login')).verify('x', account)).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    await expect((await admitted('password')).verify('x', account)).rejects.toMatchObject({ status: 401, code: 'INVALID_PASSWORD' });
  });

  it('runs a proof other than the login hash only with a reserved unit', async () => {
    let proofs = 0;
    const proof = async () => {
      proofs++;
      return undefined;
    };
    const statuses = await Promise.all(
      Array.from({ length: 3 * limit }, () =>
        status(gate.admit({ action: 'decrypt', account: 'alice', client: client() }).then((admitted) => admitted.prove(proof))),
      ),
    );
    expect(proofs).toBe(limit);
    expect(statuses.filter((code) => code === 429)).toHaveLength(2 * limit);
  });

  it('reports the address and account budgets for the RateLimit header fields', async () => {
    const caller = client();
    const admitted = await gate.admit({ action: 'login', account: 'alice', client: caller });
    await expect(admitted.verify('wrong', account)).rejects.toMatchObject({ status: 401 });
    expect(caller.rateLimits.headers()).toEqual({
      'ratelimit-policy': `"ip";q=1000;w=60, "account";q=${limit};w=900`,
      ratelimit: expect.stringMatching(new RegExp(`^"ip";r=999;t=\\d+, "account";r=${limit - 1};t=\\d+$`)),
    });
  });
});
