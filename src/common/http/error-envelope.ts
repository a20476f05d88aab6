import { randomUUID } from 'node:crypto';
import { ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody } from '../errors/error-codes';
import { REQUEST_ID_HEADER } from './request-id';
import { API_SECURITY_HEADERS } from './security-headers';

/** An error as the client will see it, before the request id is known. */
export interface ErrorResponse {
  status: number;
  body: Omit<ErrorBody, 'request_id'>;
  headers?: Record<string, string>;
}

/** The one error envelope: `{ error, code, details?, request_id }`, `details` only when there are some. */
function errorEnvelope({ error, code, details }: ErrorResponse['body'], requestId: string): ErrorBody {
  return details && details.length > 0 ? { error, code, details, request_id: requestId } : { error, code, request_id: requestId };
}

/**
 * The headers of every error response. Errors are JSON wherever they happen (under /docs too), so they
 * get the JSON security headers; they are set here as well as by the onRequest hook because some errors
 * (a malformed URL) are answered before any hook runs.
 */
function errorHeaders(requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...API_SECURITY_HEADERS, [REQUEST_ID_HEADER]: requestId, ...extra };
}

/** Answers a request Fastify has parsed with the error envelope. */
export function sendError(request: FastifyRequest, reply: FastifyReply, response: ErrorResponse): void {
  void reply.status(response.status).headers(errorHeaders(request.id, response.headers)).send(errorEnvelope(response.body, request.id));
}

/** A whole response for code that writes to Node directly, with an id of its own (no request was read). */
function rawError(response: ErrorResponse): { headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  const body = JSON.stringify(errorEnvelope(response.body, requestId));
  const headers = errorHeaders(requestId, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...response.headers,
  });
  return { headers, body };
}

/**
 * Answers on a bare socket, for what Node's HTTP parser refuses before there is any request object:
 * oversized headers (431), timeouts (408), malformed HTTP (400). The connection is closed afterwards.
 */
export function writeErrorToSocket(socket: Duplex, response: ErrorResponse): void {
  const { headers, body } = rawError(response);
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}\r\n${head}\r\n${body}`, () => socket.destroy());
}

/** Answers a request Node itself turns away before Fastify sees it (an unsupported Expect header). */
export function writeErrorToResponse(reply: ServerResponse, response: ErrorResponse): void {
  const { headers, body } = rawError(response);
  reply.writeHead(response.status, headers).end(body);
}
