import type { MailMessage } from './mailer';

/** Where the app's deep links point; every link carries its single-use token in the query. */
interface MailLink {
  /** APP_LINK_BASE_URL without a trailing slash. */
  base: string;
  token: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function linkTo(path: string, { base, token }: MailLink): string {
  return `${base}/${path}?token=${encodeURIComponent(token)}`;
}

/** Plain text and HTML from the same paragraphs, the link (and its token, for typing in) in both. */
function compose(to: string, subject: string, paragraphs: string[], link?: { url: string; label: string; token: string }): MailMessage {
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.url}`, `Or enter this code in the app: ${link.token}`] : [])].join('\n\n');
  const html = [
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(link
      ? [
          `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
          `<p>Or enter this code in the app: <code>${escapeHtml(link.token)}</code></p>`,
        ]
      : []),
  ].join('\n');
  return { to, subject, text: `${text}\n`, html: `<!doctype html>\n<html><body>\n${html}\n</body></html>\n` };
}

export function passwordResetMail(to: string, link: MailLink, ttlMinutes: number): MailMessage {
  return compose(
    to,
    'Reset your Panzoto password',
    [
      'Someone, hopefully you, asked to reset the password of your Panzoto account.',
      `The link works once, for ${ttlMinutes} minutes. With your recovery code every recording stays readable; without it, older recordings stay locked until you enter the code.`,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
    { url: linkTo('reset-password', link), label: 'Choose a new password', token: link.token },
  );
}

export function verificationMail(to: string, link: MailLink): MailMessage {
  return compose(
    to,
    'Confirm your email address for Panzoto',
    ['Confirm that this address belongs to your Panzoto account. The link works once.', 'If you did not create an account, ignore this mail.'],
    { url: linkTo('verify-email', link), label: 'Confirm this address', token: link.token },
  );
}

export function emailChangeMail(to: string, link: MailLink): MailMessage {
  return compose(
    to,
    'Confirm your new email address for Panzoto',
    [
      'Your Panzoto account asked to use this address from now on. It changes only once you confirm; the link works once.',
      'If you did not ask for this, ignore this mail.',
    ],
    { url: linkTo('confirm-email-change', link), label: 'Use this address', token: link.token },
  );
}

export function emailChangedNotice(to: string, newEmail: string): MailMessage {
  return compose(to, 'Your Panzoto email address was changed', [
    `Your Panzoto account now uses ${newEmail} instead of this address.`,
    'If you did not do this, reset your password from the app right away and contact support.',
  ]);
}
