import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { Mailer, MailMessage } from './mailer';

/** Local servers (MailDev) speak plain SMTP; anything else must offer STARTTLS. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** The mail port over nodemailer: plain SMTP, or Amazon SES's SendEmail API through the task role. */
@Injectable()
export class NodemailerMailer extends Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger(NodemailerMailer.name);
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(config: AppConfig) {
    super();
    const { transport, smtp, region, from } = config.mail;
    this.from = from;
    // nodemailer's own logger stays off: it would print envelopes and message bodies.
    const local = LOOPBACK_HOSTS.includes(smtp.host);
    this.transport =
      transport === 'ses'
        ? createTransport({ SES: { sesClient: new SESv2Client({ region }), SendEmailCommand }, logger: false })
        : createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: local, requireTLS: !local, logger: false });
  }

  async send(message: MailMessage): Promise<void> {
    const sent = (await this.transport.sendMail({ from: this.from, ...message })) as { messageId?: string };
    this.logger.log({ messageId: sent.messageId, subject: message.subject }, 'Mail sent');
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
