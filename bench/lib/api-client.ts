import { randomBytes } from 'node:crypto';

/** The few service calls the bench makes to set itself up (not measured). */
export async function send(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

export async function api<T>(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const { status, text } = await send(baseUrl, method, path, body, token);
  if (status < 200 || status > 299) throw new Error(`${method} ${path} answered ${status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Only loopback traffic: a presigned URL for anything else (real S3, say) is refused. */
export function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost' && hostname !== '[::1]') {
    throw new Error(`refusing to send bench traffic to ${hostname}: only 127.0.0.1 is allowed`);
  }
}

export type SeedingFlow = 'upload-url, PUT, POST /api/audio-file' | 'POST /api/audio-file';

/**
 * Gives the user `count` audio files. Where the service issues upload URLs, each file goes the way the
 * app sends it (POST /api/audio-files/upload-url, PUT of the bytes to the local S3, POST /api/audio-file);
 * a service without that endpoint (404) records `{ s3_key, file_size }` directly.
 */
export async function seedAudioFiles(baseUrl: string, user: { token: string; userId: string }, count: number): Promise<SeedingFlow> {
  let flow: SeedingFlow | undefined;
  for (let i = 0; i < count; i++) {
    const bytes = 1024 * (i + 1);
    if (flow !== 'POST /api/audio-file') {
      const slot = await send(baseUrl, 'POST', '/api/audio-files/upload-url', { file_size: bytes }, user.token);
      if (slot.status === 200 || slot.status === 201) {
        flow = 'upload-url, PUT, POST /api/audio-file';
        const { file_id, s3_key, upload_url } = JSON.parse(slot.text) as { file_id: string; s3_key: string; upload_url: string };
        assertLoopback(upload_url);
        const put = await fetch(upload_url, { method: 'PUT', body: randomBytes(bytes) });
        if (!put.ok) throw new Error(`PUT to the presigned upload URL answered ${put.status}: ${(await put.text()).slice(0, 300)}`);
        await api(baseUrl, 'POST', '/api/audio-file', { s3_key, file_id, file_size: bytes }, user.token);
        continue;
      }
      if (slot.status !== 404 || flow !== undefined) {
        throw new Error(`POST /api/audio-files/upload-url answered ${slot.status}: ${slot.text.slice(0, 300)}`);
      }
      flow = 'POST /api/audio-file';
    }
    await api(baseUrl, 'POST', '/api/audio-file', { s3_key: `users/${user.userId}/bench-${i}.3gp`, file_size: bytes }, user.token);
  }
  if (!flow) throw new Error('no audio file to seed');
  return flow;
}
