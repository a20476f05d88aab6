import { randomBytes } from 'node:crypto';
import { PASSWORD, scanAll, startTestApp, TestApp } from '../support/test-app';

/** Pairs a person cannot tell apart: the second must reach the account the first made. */
function lookalikePairs(): Array<[string, string, string, string]> {
  const tag = randomBytes(4).toString('hex');
  const fullWidth = (text: string) => [...text].map((character) => String.fromCodePoint(character.codePointAt(0)! + 0xfee0)).join('');
  return [
    ['NFC and NFD accents', `jos\u00e9-${tag}@example.com`, `jose\u0301-${tag}@example.com`, `jos\u00e9-${tag}@example.com`],
    ['full-width and plain letters', `${fullWidth('full')}-${tag}@example.com`, `full-${tag}@example.com`, `full-${tag}@example.com`],
    ['upper and lower case, with spaces around', `  Mixed-${tag}@Example.COM `, `mixed-${tag}@example.com`, `mixed-${tag}@example.com`],
  ];
}

describe('one person, one email address (HTTP, DynamoDB Local)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(lookalikePairs())('treats %s as one account: 409 on the second registration, login with either', async (_name, first, second, stored) => {
    const registered = await t.http.post('/api/register').send({ email: first, password: PASSWORD }).expect(201);
    const taken = await t.http.post('/api/register').send({ email: second, password: PASSWORD }).expect(409);
    expect(taken.body.code).toBe('EMAIL_TAKEN');
    for (const email of [first, second]) {
      const login = await t.http.post('/api/login').send({ email, password: PASSWORD }).expect(200);
      expect(login.body.user_id).toBe(registered.body.user_id);
      expect(login.body.user.email).toBe(registered.body.user.email);
    }
    const accounts = (await scanAll(t.documents, t.config.dynamodb.tables.users)).filter((item) => item.email === stored);
    expect(accounts).toHaveLength(1);
    expect(registered.body.user.email).toBe(stored);
  });

  it.each([
    ['a zero-width space', 'zero\u200bwidth@example.com'],
    ['a right-to-left override', 'rtl\u202eoverride@example.com'],
    ['a control character', 'con\u0007trol@example.com'],
  ])('refuses an address with %s (400), at registration and login, and stores nothing', async (_name, email) => {
    const before = (await scanAll(t.documents, t.config.dynamodb.tables.users)).length;
    for (const path of ['/api/register', '/api/login']) {
      const response = await t.http.post(path).send({ email, password: PASSWORD }).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'email', message: expect.stringMatching(/invisible/) }] });
    }
    expect((await scanAll(t.documents, t.config.dynamodb.tables.users)).length).toBe(before);
  });
});
