/** One mail: plain text for every client, HTML beside it. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * The mail port: how the service sends mail, whatever carries it (SMTP to MailDev locally, Amazon SES
 * in production). Messages carry single-use secrets, so implementations never log their content.
 */
export abstract class Mailer {
  abstract send(message: MailMessage): Promise<void>;
}
