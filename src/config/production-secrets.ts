import { splitList } from './variable-rules';

/** Values shipped in `.env.example` and in well-known samples: never acceptable in production. */
const EXAMPLE_JWT_SECRETS: readonly string[] = [
  'change-me-to-a-random-string-of-at-least-32-bytes',
  'your-secret-key',
  'your-secret-key-change-this-in-production',
  'dev-secret-key-change-in-production',
  'secret',
  'changeme',
];

const MIN_PRODUCTION_SECRET_BYTES = 32;

const isExample = (secret: string): boolean => EXAMPLE_JWT_SECRETS.includes(secret.trim().toLowerCase());

const isShort = (secret: string): boolean => Buffer.byteLength(secret, 'utf8') < MIN_PRODUCTION_SECRET_BYTES;

/** What makes the signing secrets (JWT_SECRET, JWT_PREVIOUS_SECRETS) unfit for production. */
export function productionSecretProblems(secret: string | undefined, previousSecrets: string | undefined): string[] {
  if (secret === undefined) return ['JWT_SECRET is required when NODE_ENV=production'];
  if (isExample(secret)) return ['JWT_SECRET is an example value; generate one with `openssl rand -base64 48`'];
  if (isShort(secret)) return [`JWT_SECRET must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production`];
  const weakPrevious = splitList(previousSecrets).some((previous) => isExample(previous) || isShort(previous));
  return weakPrevious ? [`JWT_PREVIOUS_SECRETS holds an example or shorter-than-${MIN_PRODUCTION_SECRET_BYTES}-byte secret`] : [];
}
