import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadDotEnv } from '../../src/config/load-env';

/**
 * `npm run dev:admin [-- --port 8002]`: dynamodb-admin, a web UI over the DynamoDB Local of `npm run
 * dev`, on http://127.0.0.1:8001. DynamoDB Local runs with -sharedDb, so any credentials see the tables.
 */
function main(): void {
  loadDotEnv();
  const endpoint = `http://127.0.0.1:${process.env.DYNAMODB_LOCAL_PORT ?? 8000}`;
  const cli = join(require.resolve('dynamodb-admin/package.json'), '..', 'dist', 'dynamodb-admin.js');
  const child = spawn(process.execPath, [cli, '--dynamo-endpoint', endpoint, '--host', '127.0.0.1', '--port', '8001', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', ...process.env },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
  child.once('exit', (code) => process.exit(code ?? 0));
}

main();
