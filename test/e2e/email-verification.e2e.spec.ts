import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { BackgroundTasks } from '../../src/common/util/background-tasks';
import { mailsTo, tokenIn, waitForMails } from '../support/mailbox';
import { PASSWORD, registerUser, startTestApp, TestApp } from '../support/test-app';

const VERIFY_SUBJECT = /^Confirm your email address for Panzoto$/;
const CHANGE_SUBJECT = /^Confirm your new email address for Panzoto$/;
const NOTICE_SUBJECT = /^Your Panzoto email address was changed$/;

describe('email verification and email change, through the real local mail server (MailDev)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_CACHE_TTL_MS: '0' });
  });
  afterAll(() => t.close());

  const settled = () => t.app.get(BackgroundTasks).settled();
  const me = (auth: { Authorization: string }) => t.http.get('/api/user/me').set(auth).expect(200);

  it('registration mails a single-use verification link; the user object says whether the address is verified', async () => {
    const user = await registerUser(t.http);
    expect(user.session).toMatchObject({ user: { email_verified: false } });
    const [mail] = await waitForMails(user.email, { subject: VERIFY_SUBJECT });
    expect(mail.html).toContain('/verify-email?token=');
    const token = tokenIn(mail);
    expect((await me(user.auth)).body.user.email_verified).toBe(false);

    const verified = await t.http.post('/api/auth/verify-email').send({ token }).expect(200);
    expect(verified.body.user).toMatchObject({ user_id: user.userId, email: user.email, email_verified: true });
    expect((await me(user.auth)).body.user.email_verified).toBe(true);
    const again = await t.http.post('/api/auth/verify-email').send({ token }).expect(400);
    expect(again.body.code).toBe('INVALID_TOKEN');
    const login = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    expect(login.body.user.email_verified).toBe(true);

    // Verified: asking for another link sends nothing.
    await t.http.post('/api/user/email/verification').set(user.auth).expect(202);
    await settled();
    expect((await mailsTo(user.email)).filter((each) => VERIFY_SUBJECT.test(each.subject))).toHaveLength(1);
  });

  it('an account from before verification can ask for a link, which verifies it', async () => {
    const user = await registerUser(t.http);
    await waitForMails(user.email, { subject: VERIFY_SUBJECT });
    await t.http.post('/api/user/email/verification').set(user.auth).expect(202);
    const mails = await waitForMails(user.email, { subject: VERIFY_SUBJECT, count: 2 });
    await t.http
      .post('/api/auth/verify-email')
      .send({ token: tokenIn(mails[1]) })
      .expect(200);
    // Every link works once on its own: the first one still verifies (nothing changes).
    await t.http
      .post('/api/auth/verify-email')
      .send({ token: tokenIn(mails[0]) })
      .expect(200);
    await t.http.post('/api/user/email/verification').expect(401);
  });

  it('email change: confirm the new address, then the old one is told; the login moves with it', async () => {
    const user = await registerUser(t.http);
    const newEmail = `moved-${randomUUID()}@example.com`;
    await t.http.post('/api/user/email').set(user.auth).send({ new_email: newEmail, password: 'wrong-password' }).expect(401);
    await t.http.post('/api/user/email').set(user.auth).send({ new_email: 'not an email', password: PASSWORD }).expect(400);
    await t.http
      .post('/api/user/email')
      .set(user.auth)
      .send({ new_email: ` ${newEmail.toUpperCase()} `, password: PASSWORD })
      .expect(202);

    const [confirm] = await waitForMails(newEmail, { subject: CHANGE_SUBJECT });
    expect(confirm.text).toContain('/confirm-email-change?token=');
    // Nothing changes before the new address confirms.
    expect((await me(user.auth)).body.user.email).toBe(user.email);
    await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);

    const token = tokenIn(confirm);
    const confirmed = await t.http.post('/api/auth/confirm-email-change').send({ token }).expect(200);
    expect(confirmed.body.user).toMatchObject({ user_id: user.userId, email: newEmail, email_verified: true });
    const [notice] = await waitForMails(user.email, { subject: NOTICE_SUBJECT });
    expect(notice.text).toContain(newEmail);
    expect(notice.text).not.toContain('token=');

    await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(401);
    await t.http.post('/api/login').send({ email: newEmail, password: PASSWORD }).expect(200);
    expect((await me(user.auth)).body.user).toMatchObject({ email: newEmail, email_verified: true });
    await t.http
      .post('/api/auth/confirm-email-change')
      .send({ token })
      .expect(400, /INVALID_TOKEN/);
    // The old address is free again; reset mail follows the account to its new address.
    await registerUser(t.http, user.email);
    await t.http.post('/api/auth/forgot-password').send({ email: newEmail }).expect(202);
    await waitForMails(newEmail, { subject: /^Reset your Panzoto password$/ });
  });

  it('a reset link mailed to the old address stops working once the email changed', async () => {
    const user = await registerUser(t.http);
    await t.http.post('/api/auth/forgot-password').send({ email: user.email }).expect(202);
    const [reset] = await waitForMails(user.email, { subject: /^Reset your Panzoto password$/ });
    const newEmail = `moved-${randomUUID()}@example.com`;
    await t.http.post('/api/user/email').set(user.auth).send({ new_email: newEmail, password: PASSWORD }).expect(202);
    const [confirm] = await waitForMails(newEmail, { subject: CHANGE_SUBJECT });
    await t.http
      .post('/api/auth/confirm-email-change')
      .send({ token: tokenIn(confirm) })
      .expect(200);
    await t.http
      .post('/api/auth/reset-password')
      .send({ token: tokenIn(reset), new_password: 'A-New-Password-123' })
      .expect(400, /INVALID_TOKEN/);
  });

  it('refuses to move onto an address another account took meanwhile (409), keeping the old one', async () => {
    const user = await registerUser(t.http);
    const contested = `contested-${randomUUID()}@example.com`;
    await t.http.post('/api/user/email').set(user.auth).send({ new_email: contested, password: PASSWORD }).expect(202);
    const [confirm] = await waitForMails(contested, { subject: CHANGE_SUBJECT });
    await registerUser(t.http, contested);
    const taken = await t.http
      .post('/api/auth/confirm-email-change')
      .send({ token: tokenIn(confirm) })
      .expect(409);
    expect(taken.body.code).toBe('EMAIL_TAKEN');
    expect((await me(user.auth)).body.user.email).toBe(user.email);
    await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
  });

  it('a verification link for an address the account no longer uses verifies nothing', async () => {
    const user = await registerUser(t.http);
    const [verify] = await waitForMails(user.email, { subject: VERIFY_SUBJECT });
    await t.documents.send(
      new UpdateCommand({
        TableName: t.config.dynamodb.tables.users,
        Key: { user_id: user.userId },
        UpdateExpression: 'SET email = :other',
        ExpressionAttributeValues: { ':other': `other-${randomUUID()}@example.com` },
      }),
    );
    await t.http
      .post('/api/auth/verify-email')
      .send({ token: tokenIn(verify) })
      .expect(400, /INVALID_TOKEN/);
    expect((await me(user.auth)).body.user.email_verified).toBe(false);
  });
});
