import { setTimeout as sleep } from 'node:timers/promises';

/** A mail as MailDev's REST API (GET /api/email) returns it; only the fields the tests read. */
export interface ReceivedMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string }[];
  from: { address: string; name: string }[];
}

const mailDevUrl = (): string => {
  const url = process.env.MAILDEV_URL;
  if (!url) throw new Error('MAILDEV_URL is unset: the MailDev of test/support/global-setup.ts is not running');
  return url;
};

/** Every mail MailDev holds for `address` (each test mails unique addresses, so others' mail never shows). */
export async function mailsTo(address: string): Promise<ReceivedMail[]> {
  const response = await fetch(`${mailDevUrl()}/api/email`);
  if (!response.ok) throw new Error(`MailDev answered ${response.status}`);
  const mails = (await response.json()) as ReceivedMail[];
  return mails.filter((mail) => mail.to.some((to) => to.address.toLowerCase() === address.toLowerCase()));
}

/**
 * Waits until `address` has received `count` mails (matching `subject` when given) and returns them,
 * oldest first. Mail is sent after the response, so it may arrive a moment later.
 */
export async function waitForMails(
  address: string,
  { count = 1, subject, timeoutMs = 20_000 }: { count?: number; subject?: RegExp; timeoutMs?: number } = {},
): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await mailsTo(address)).filter((mail) => !subject || subject.test(mail.subject));
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`${address} received ${mails.length} of ${count} mails within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The single-use token a mail's link carries (`…?token=<token>`). */
export function tokenIn(mail: ReceivedMail): string {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no token in the mail "${mail.subject}"`);
  return match[1];
}
