import { HttpStatus } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors/error-codes';
import { ErrorResponse, sendError, writeErrorToResponse, writeErrorToSocket } from './error-envelope';

/** Not in Nest's HttpStatus. */
const HEADER_FIELDS_TOO_LARGE = 431;

function clientErrorResponse(code: string | undefined): ErrorResponse {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: HEADER_FIELDS_TOO_LARGE,
        body: { error: 'Request headers are too large', code: ErrorCode.HEADERS_TOO_LARGE },
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: HttpStatus.PAYLOAD_TOO_LARGE, body: { error: 'Request body is too large', code: ErrorCode.PAYLOAD_TOO_LARGE } };
    // Headers or body not received within HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS.
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: HttpStatus.REQUEST_TIMEOUT,
        body: { error: 'The request was not received in time', code: ErrorCode.REQUEST_TIMEOUT },
      };
    default:
      return { status: HttpStatus.BAD_REQUEST, body: { error: 'Malformed HTTP request', code: ErrorCode.BAD_REQUEST } };
  }
}

/**
 * Node's `clientError`: what its HTTP parser or its timeouts refuse before a request object exists,
 * answered with the error envelope (Fastify's default handler writes a different shape).
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const response = (socket as Duplex & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  writeErrorToSocket(socket, clientErrorResponse(error.code));
}

/** Fastify's routing errors, which it answers before any hook or error handler runs. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return sendError(request, reply, {
        status: HttpStatus.BAD_REQUEST,
        body: { error: 'The URL is malformed (invalid percent-encoding)', code: ErrorCode.BAD_REQUEST },
      });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return sendError(request, reply, {
        status: HttpStatus.BAD_REQUEST,
        body: { error: 'A path parameter is too long', code: ErrorCode.BAD_REQUEST },
      });
    default:
      return sendError(request, reply, {
        status: HttpStatus.INTERNAL_SERVER_ERROR,
        body: { error: 'Internal server error', code: ErrorCode.INTERNAL_ERROR },
      });
  }
}

/** Node's `checkExpectation`: an Expect header other than 100-continue (Node would answer a bare 417). */
export function handleUnsupportedExpectation(_request: IncomingMessage, response: ServerResponse): void {
  writeErrorToResponse(response, {
    status: HttpStatus.EXPECTATION_FAILED,
    body: { error: 'Only "Expect: 100-continue" is supported', code: ErrorCode.BAD_REQUEST },
  });
}
