import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { HeaderObject, OperationObject, ReferenceObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import {
  BEARER_ERROR_CODES,
  BODY_ERROR_CODES,
  ERROR_CODE_DOCS,
  ERROR_CODES_EXTENSION,
  STATUS_DESCRIPTIONS,
} from './common/http/api-error-responses.decorator';
import { ErrorResponseDto } from './common/http/error-response.dto';
import { ErrorCode } from './common/errors/error-codes';

const BEARER_SCHEME = 'bearer';
const EXAMPLE_REQUEST_ID = '0b0f5b6e-8a43-4c45-8a2c-5a0f1b2c3d4e';

/** Response headers, declared once under components.headers. */
const HEADERS = {
  'X-Request-Id': {
    description: 'The request id, also in every error body and in the logs (a well-formed incoming X-Request-Id is kept)',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
  'RateLimit-Policy': {
    description:
      'Each budget the request counted against, per draft-ietf-httpapi-ratelimit-headers: quota `q` per window `w` seconds, e.g. `"ip";q=120;w=60, "account";q=10;w=900`',
    schema: { type: 'string' },
  },
  RateLimit: {
    description:
      'What is left of each of those budgets: `r` requests remaining, `t` seconds until the window resets, e.g. `"ip";r=119;t=42, "account";r=9;t=800`',
    schema: { type: 'string' },
  },
} satisfies Record<string, HeaderObject>;
type HeaderName = keyof typeof HEADERS;

const headerRefs = (...names: HeaderName[]): Record<string, ReferenceObject> =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function errorExample(code: ErrorCode): Record<string, unknown> {
  const { example } = ERROR_CODE_DOCS[code];
  const details = code === ErrorCode.VALIDATION_FAILED ? [{ field: 'email', message: 'email must be a valid email address' }] : undefined;
  return { error: example, code, ...(details ? { details } : {}), request_id: EXAMPLE_REQUEST_ID };
}

function errorResponse(status: number, codes: ErrorCode[]): ResponseObject {
  return {
    description: `${STATUS_DESCRIPTIONS[status]} (code ${codes.join(', ')})`,
    headers: headerRefs('X-Request-Id', ...(status === 429 || status === 503 ? (['Retry-After'] as const) : [])),
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorResponseDto) },
        examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: errorExample(code) }])),
      },
    },
  };
}

/** The codes an operation can answer with: its own (`@ApiErrorResponses`) and those its shape implies. */
function errorCodesOf(operation: OperationObject, own: ErrorCode[]): ErrorCode[] {
  const hasQuery = (operation.parameters ?? []).some((parameter) => 'in' in parameter && parameter.in === 'query');
  return [
    ...(operation.requestBody ? BODY_ERROR_CODES : hasQuery ? [ErrorCode.VALIDATION_FAILED] : []),
    ...((operation.security ?? []).length > 0 ? BEARER_ERROR_CODES : []),
    ...own,
    ErrorCode.SERVICE_UNAVAILABLE,
  ];
}

/**
 * What decorators cannot say: public operations declare `security: []`; error responses are built
 * from each operation's codes, one example per code; every response declares X-Request-Id, and
 * every response of a rate-limited operation (one that can answer 429) the rate-limit headers, which
 * it carries once the request was counted.
 */
function completeOperation(operation: OperationObject): void {
  operation.security ??= [];
  const extensions = operation as unknown as Record<string, unknown>;
  const own = extensions[ERROR_CODES_EXTENSION] as ErrorCode[] | undefined;
  delete extensions[ERROR_CODES_EXTENSION];
  if (own) {
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of new Set(errorCodesOf(operation, own))) {
      const status = ERROR_CODE_DOCS[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      operation.responses[String(status)] = errorResponse(status, codes);
    }
  }
  const limitHeaders = '429' in operation.responses ? (['RateLimit-Policy', 'RateLimit'] as const) : [];
  for (const response of Object.values(operation.responses) as ResponseObject[]) {
    response.headers = { ...response.headers, ...headerRefs('X-Request-Id', ...limitHeaders) };
  }
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('panzoto-backend')
    .setDescription(
      'API behind the Panzoto mobile app. Errors are always JSON `{ error, code, details?, request_id }`; ' +
        'every response carries an `X-Request-Id` header. Authenticate with `Authorization: Bearer <token>` ' +
        'from /api/register or /api/login. To try it here: run register (or login), copy `token` from the ' +
        'response, press Authorize and paste it.',
    )
    .setVersion('1')
    // Relative: the explorer calls whichever address it was opened at (a LAN address, a trial load balancer).
    .addServer('/', 'The server this document was fetched from')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Paste the `token` from register, login or refresh, without the word "Bearer": it is added for you.',
      },
      BEARER_SCHEME,
    )
    .build();
  config.info.license = { name: 'UNLICENSED (proprietary, as package.json says)' };
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (_controller, method) => method,
  });
  document.components = { ...document.components, headers: HEADERS };
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation) completeOperation(operation);
    }
  }
  return document;
}

/**
 * Runs in the /docs explorer (Swagger UI serialises it as source, so it may use nothing from this
 * module): a token pasted with its "Bearer " prefix would go out as "Bearer Bearer …" and get 401.
 * Only the explorer forgives this; the API itself stays strict.
 */
export function explorerRequestInterceptor(request: { headers: Record<string, string> }): { headers: Record<string, string> } {
  for (const name of Object.keys(request.headers)) {
    if (name.toLowerCase() === 'authorization') request.headers[name] = request.headers[name].replace(/^Bearer\s+(?:Bearer\s+)+/i, 'Bearer ');
  }
  return request;
}

interface ExplorerUi {
  oas3Actions: {
    setRequestBodyValue(change: { value: string; pathMethod: [string, string] }): void;
    setRetainRequestBodyValueFlag(change: { value: boolean; pathMethod: [string, string] }): void;
  };
}

/**
 * Runs in the /docs explorer too: after "Try it out" on upload-url, the bodies of the next steps
 * (register the file, decrypt it) are filled in with the caller's new key and file id, so running the
 * operations in order works as prefilled.
 */
export function explorerResponseInterceptor<T extends { url: string; status: number; body?: unknown }>(response: T): T {
  const slot = response.body as { s3_key?: string; file_id?: string } | undefined;
  if (response.status === 201 && /\/api\/audio-files\/upload-url$/.test(response.url) && slot?.s3_key && slot.file_id) {
    const { ui } = globalThis as unknown as { ui: ExplorerUi };
    const fill = (path: string, body: Record<string, string>): void => {
      const pathMethod: [string, string] = [path, 'post'];
      ui.oas3Actions.setRequestBodyValue({ value: JSON.stringify(body, null, 2), pathMethod });
      ui.oas3Actions.setRetainRequestBodyValueFlag({ value: true, pathMethod });
    };
    fill('/api/audio-file', { s3_key: slot.s3_key, file_id: slot.file_id });
    // The password of the register example (RegisterDto): this function cannot import it.
    fill('/api/decrypt-audio', { password: 'SecurePassword123!', file_id: slot.file_id });
  }
  return response;
}
