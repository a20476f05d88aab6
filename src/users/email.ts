/** The longest address SMTP allows (RFC 5321 path limit minus the angle brackets). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * Characters no address may contain once trimmed: controls (Cc), invisible format characters (Cf:
 * zero-width spaces and joiners, bidi overrides, the BOM), surrogates, private-use and unassigned
 * code points (the rest of C), and spaces of any kind (Z).
 */
const FORBIDDEN_CHARACTER = /[\p{C}\p{Z}]/u;

type NormalisedEmail = { ok: true; email: string } | { ok: false; problem: string };

/**
 * The one identity of an email address, used wherever an address is stored or looked up (registration,
 * login, the migration tool). Two strings a person cannot tell apart must give the same account:
 *
 * - Unicode NFKC, which includes NFC: `é` typed as one code point or as `e` + combining accent is one
 *   address, and compatibility forms are folded to their plain form (full-width `ｆｕｌｌ` is `full`,
 *   the ligature `ﬁ` is `fi`), as IDNA already does for domains;
 * - surrounding whitespace trimmed, then lower-cased (locale-independent);
 * - any control, invisible format or space character left inside makes the address unacceptable.
 *
 * Idempotent: normalising a normalised address gives it back unchanged.
 */
export function normaliseEmail(raw: string): NormalisedEmail {
  const email = raw.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  if (FORBIDDEN_CHARACTER.test(email)) {
    return { ok: false, problem: 'email must not contain spaces, control characters or invisible characters (zero-width, bidi)' };
  }
  return { ok: true, email };
}
