import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { emailChangedNotice, emailChangeMail, passwordResetMail, verificationMail } from '../../src/mail/mail-templates';
import { NodemailerMailer } from '../../src/mail/nodemailer.mailer';
import { tokenIn, waitForMails } from '../support/mailbox';

/** The mail port against the run's real SMTP server (MailDev), read back through MailDev's REST API. */
describe('NodemailerMailer over SMTP to MailDev', () => {
  const config = new AppConfig(
    validateEnvironment({ ...process.env, MAIL_FROM: 'Panzoto Test <no-reply@panzoto.test>', APP_LINK_BASE_URL: 'panzoto://app/' }),
  );
  const mailer = new NodemailerMailer(config);
  afterAll(() => mailer.onApplicationShutdown());
  const link = { base: config.mail.linkBaseUrl, token: 'tok_en-123' };

  it('delivers plain text and HTML from MAIL_FROM, the deep link (APP_LINK_BASE_URL) and its token in both', async () => {
    const to = `reset-${randomUUID()}@example.com`;
    await mailer.send(passwordResetMail(to, link, 30));
    const [mail] = await waitForMails(to);
    expect(mail.from).toEqual([{ address: 'no-reply@panzoto.test', name: 'Panzoto Test' }]);
    expect(mail.subject).toBe('Reset your Panzoto password');
    expect(mail.text).toContain('panzoto://app/reset-password?token=tok_en-123');
    expect(mail.text).toContain('30 minutes');
    expect(mail.html).toContain('href="panzoto://app/reset-password?token=tok_en-123"');
    expect(tokenIn(mail)).toBe('tok_en-123');
  });

  it('has a template per flow, each pointing at its own screen; the change notice carries no link', async () => {
    const to = `flows-${randomUUID()}@example.com`;
    await mailer.send(verificationMail(to, link));
    await mailer.send(emailChangeMail(to, link));
    await mailer.send(emailChangedNotice(to, 'new<b>@example.com'));
    const mails = await waitForMails(to, { count: 3 });
    const bySubject = new Map(mails.map((mail) => [mail.subject, mail]));
    expect(bySubject.get('Confirm your email address for Panzoto')?.text).toContain('panzoto://app/verify-email?token=tok_en-123');
    expect(bySubject.get('Confirm your new email address for Panzoto')?.text).toContain('panzoto://app/confirm-email-change?token=tok_en-123');
    const notice = bySubject.get('Your Panzoto email address was changed');
    expect(notice?.text).not.toContain('token=');
    // Text that reaches HTML is escaped.
    expect(notice?.html).toContain('new&#60;b&#62;@example.com');
  });
});
