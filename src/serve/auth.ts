// Who may call the service: a bearer token on every request, required unless the service listens on loopback.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "./http-error.ts";

/** Loopback addresses (and `localhost`): the only hosts the service may listen on without a token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The one-line refusal for a token that no request could match (an Authorization header carries visible
 * ASCII only, and its value is trimmed) or a non-loopback host without a token; undefined when safe.
 */
export function tokenProblem(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && !/^[\x21-\x7e]*$/.test(token)) return "the bearer token must be visible ASCII characters (no spaces, control or non-ASCII characters): no request could send it";
  if (token !== undefined && token.length < 16) return "the bearer token must be at least 16 characters";
  if (!isLoopbackHost(host) && !token) return `refusing to listen on ${host} (not loopback) without a bearer token: pass --token or set VOXLAB_TOKEN`;
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * The check every request passes when the service has a token: 401 (with WWW-Authenticate) unless the request
 * carries it. Both sides are hashed first, so the comparison takes the same time whatever the lengths.
 */
export function bearerCheck(token: string): (request: FastifyRequest, reply: FastifyReply) => void {
  const expected = sha256(token);
  return (request, reply) => {
    // The scheme is case-insensitive (RFC 9110 §11.1); the token is compared exactly.
    const given = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    if (given === undefined || !timingSafeEqual(sha256(given), expected)) {
      void reply.header("www-authenticate", 'Bearer realm="voxlab"');
      throw new HttpError(401, given === undefined ? "missing bearer token (Authorization: Bearer <token>)" : "wrong bearer token");
    }
  };
}
