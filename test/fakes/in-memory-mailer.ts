import { MailMessage, Mailer } from '../../src/mail/mailer';

/** A Mailer that keeps what it was asked to send, for service tests; the SMTP one is tested against MailDev. */
export class InMemoryMailer extends Mailer {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
}
