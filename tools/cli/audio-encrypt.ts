import { parseArgs } from 'node:util';
import { AUDIO_CONTENT_TYPES, AudioContentType } from '../../src/audio-files/recording-keys';
import { PanzotoClient } from '../client/panzoto-client';

const USAGE = `Usage: npm run audio:encrypt -- --file recording.3gp --email you@example.com [--password …]
  [--base-url http://127.0.0.1:3000] [--content-type audio/3gpp] [--register]

Logs in (or registers with --register), unlocks the user key with the password, encrypts the file
in the recording format (docs/encryption-format.md) while uploading it to a presigned URL, and
registers it. Prints the audio file record as JSON, with the account's recovery_code when the
server hands one out (at registration, or the first login of an account without one): write it
down, it is shown once and unlocks the recordings after a forgotten password. The password may also
come from PANZOTO_PASSWORD.`;

/** `npm run audio:encrypt`: the reference client's upload path from the command line. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string', default: 'http://127.0.0.1:3000' },
      email: { type: 'string' },
      password: { type: 'string' },
      file: { type: 'string' },
      'content-type': { type: 'string', default: 'audio/3gpp' },
      register: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const password = values.password ?? process.env.PANZOTO_PASSWORD;
  const contentType = values['content-type'] as AudioContentType;
  if (values.help || !values.email || !password || !values.file || !(contentType in AUDIO_CONTENT_TYPES)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const client = new PanzotoClient(values['base-url']);
  const session = values.register ? await client.register(values.email, password) : await client.login(values.email, password);
  const userKey = await client.unlockUserKey(session, password);
  const audioFile = await client.uploadRecording(session, userKey, { path: values.file }, contentType);
  const shown = session.recovery_code ? { recovery_code: session.recovery_code } : {};
  process.stdout.write(`${JSON.stringify({ audio_file: audioFile, ...shown }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`audio:encrypt failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
