import { setTimeout as sleep } from 'node:timers/promises';
import { listKeys, PASSWORD, registerUser, RegisteredUser, scanAll, TestApp, uploadRecording } from './test-app';

export interface AccountTraces {
  /** Every item of the users, audio files, jobs and sessions tables that names the account's id or email. */
  items: Record<string, unknown>[];
  /** Every object whose key names the account's id, whatever its prefix. */
  objects: string[];
}

export async function accountTraces(t: TestApp, user: { userId: string; email: string }): Promise<AccountTraces> {
  const tables = t.config.dynamodb.tables;
  const items = (
    await Promise.all([tables.users, tables.audioFiles, tables.decryptJobs, tables.sessions].map((table) => scanAll(t.documents, table)))
  ).flat();
  const mentioning = items.filter((item) => JSON.stringify(item).includes(user.userId) || JSON.stringify(item).includes(user.email));
  const objects = (await listKeys(t)).filter((key) => key.includes(user.userId));
  return { items: mentioning, objects };
}

/** Polls until nothing of the account is left or `deadline` (epoch ms) has passed; returns what is left. */
export async function tracesOnceSwept(t: TestApp, user: { userId: string; email: string }, deadline: number): Promise<AccountTraces> {
  for (;;) {
    const left = await accountTraces(t, user);
    if ((left.items.length === 0 && left.objects.length === 0) || Date.now() > deadline) return left;
    await sleep(250);
  }
}

export interface PopulatedAccount extends RegisteredUser {
  /** The tokens of a second device (a login). */
  otherDevice: { token: string; refresh_token: string };
}

/** An account with two recordings, a decrypted copy and its job, and a second session. */
export async function populatedAccount(t: TestApp): Promise<PopulatedAccount> {
  const user = await registerUser(t.http);
  const files = [await uploadRecording(t, user), await uploadRecording(t, user)];
  await t.http.post('/api/decrypt-audio').set(user.auth).send({ password: PASSWORD, file_id: files[0].file_id }).expect(200);
  const otherDevice = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
  const before = await accountTraces(t, user);
  if (before.items.length < 8 || before.objects.length !== 3) throw new Error(`unexpected population: ${JSON.stringify(before)}`);
  return { ...user, otherDevice: otherDevice.body };
}
