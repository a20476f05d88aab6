import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { HelmetOptions } from 'helmet';

type HeaderSet = Record<string, string>;

/**
 * The headers helmet would set for `options`, computed once. Helmet's headers do not depend on the
 * request, and @fastify/helmet re-parsed its whole configuration on every request (a third of the
 * cost of a `GET /api/health`), so the service sends these fixed sets from one hook instead.
 */
function helmetHeaders(options: Readonly<HelmetOptions>): HeaderSet {
  const headers: HeaderSet = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** JSON responses: nothing may be framed, scripted or loaded from them. */
export const API_SECURITY_HEADERS = helmetHeaders({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
});

/**
 * The /docs explorer, whose inline bootstrap needs scripts and styles from itself. Without helmet's
 * `upgrade-insecure-requests`: over plain HTTP from any address but loopback (a LAN address, a trial
 * load balancer without a certificate) the browser would fetch every asset over https and show a blank page.
 */
export const DOCS_SECURITY_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    directives: {
      upgradeInsecureRequests: null,
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
});
