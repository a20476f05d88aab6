import { Logger } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { createApp } from '../../src/app.factory';
import { buildOpenApiDocument } from '../../src/openapi';

const OPENAPI_FILE = 'openapi.json';

/** `npm run openapi`: writes the OpenAPI document the /docs explorer serves; a test keeps it current. */
async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const app = await createApp();
  await app.init();
  const document = buildOpenApiDocument(app);
  await writeFile(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
  process.stdout.write(`wrote ${OPENAPI_FILE} (${Object.keys(document.paths).length} paths)\n`);
}

main().catch((error: unknown) => {
  new Logger('openapi').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
