import { existsSync } from 'node:fs';

/** The command-line tools read `.env` the way the service does (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
