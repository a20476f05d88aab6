import { connect, Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

/** Parses the first HTTP/1.1 response in `text` (Content-Length framed, as every error of the service is). */
export function parseRawResponse(text: string, closedAfterMs: number): RawResponse {
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd < 0) throw new Error(`no HTTP response in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, headerEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? text.length - headerEnd - 4);
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(headerEnd + 4, headerEnd + 4 + length), closedAfterMs };
}

/**
 * Opens a TCP connection to `baseUrl`, lets `talk` write to it (all at once or over time), and resolves
 * once the server closes it, with what it answered. Fails after `deadlineMs` if the server never closes.
 */
export function rawExchange(baseUrl: string, talk: (socket: Socket) => void, deadlineMs: number): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${deadlineMs} ms`));
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(parseRawResponse(text, Date.now() - started));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on('connect', () => talk(socket));
  });
}
