// HTTP for model downloads, on node:http/https rather than fetch: Node's fetch ignores HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY, and a download must know exactly which origin each header goes to.
import { request as plainRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as tlsRequest } from "node:https";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { VoxlabError, errorMessage } from "../../core/errors.ts";

/** The host could not be reached at all: offline, DNS failure, connection refused. */
export class UnreachableError extends VoxlabError {
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(`cannot reach ${host} (${code})`);
  }
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Environment to read the proxy variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A socket that sends nothing for this long is given up (the caller resumes or reports). */
const IDLE_TIMEOUT_MS = 60_000;

/** `https://` or `http://` proxy URL from the environment for `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const https = target.protocol === "https:";
  const value = https ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!value || bypassesProxy(target, env.NO_PROXY ?? env.no_proxy ?? "")) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new VoxlabError(`${https ? "HTTPS_PROXY" : "HTTP_PROXY"}=${value}: not a proxy URL (expected http://host:port)`);
  }
  if (proxy.protocol !== "http:") {
    throw new VoxlabError(`${https ? "HTTPS_PROXY" : "HTTP_PROXY"}=${value}: only http:// proxies are supported`);
  }
  return proxy;
}

/** NO_PROXY as curl and requests read it: `*`, or host names (a leading dot or `*.` optional), optionally `:port`. */
function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const match = entry.toLowerCase().match(/^(?:\*?\.)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/);
      if (!match) return false;
      const name = match[1].replace(/^\[|\]$/g, "");
      if (match[2] !== undefined && match[2] !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

const proxyAuthorization = (proxy: URL): Record<string, string> =>
  proxy.username
    ? { "proxy-authorization": `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}` }
    : {};

/**
 * One HTTP request, redirects not followed; resolves with the response head once it arrives (the body is the
 * returned stream). Through a proxy, an http:// target is asked for by absolute URI and an https:// one
 * through a CONNECT tunnel (the proxy sees the host and port only). A failure to connect becomes an
 * UnreachableError naming the host (the proxy's, when one is used); an untrusted certificate says so.
 */
export async function httpRequest(url: string, init: RequestInit = {}): Promise<IncomingMessage> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new VoxlabError(`${url}: not an http or https URL`);
  const proxy = proxyFor(target, init.env);
  // identity: byte ranges and Content-Length must refer to the file itself, not a compressed form of it.
  const headers: OutgoingHttpHeaders = { "accept-encoding": "identity", "user-agent": "voxlab", ...init.headers };
  const method = init.method ?? "GET";
  const unreachable = (err: unknown): never => {
    if (init.signal?.aborted || err instanceof VoxlabError) throw err;
    const code = networkCode(err);
    if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/.test(code)) {
      throw new VoxlabError(
        `${target.host}: TLS certificate not trusted (${code}); behind a proxy that re-signs TLS, set NODE_EXTRA_CA_CERTS to its CA certificate file`,
      );
    }
    const host = proxy ? `proxy ${proxy.host}` : target.host;
    throw new UnreachableError(host, code ?? errorMessage(err));
  };
  if (!proxy) {
    const send = target.protocol === "https:" ? tlsRequest : plainRequest;
    return awaitResponse(send(target, { method, headers, agent: false, signal: init.signal })).catch(unreachable);
  }
  if (target.protocol === "http:") {
    const options = {
      host: proxy.hostname,
      port: proxy.port || 80,
      path: target.href,
      method,
      headers: { ...headers, host: target.host, ...proxyAuthorization(proxy) },
      agent: false as const,
      signal: init.signal,
    };
    return awaitResponse(plainRequest(options)).catch(unreachable);
  }
  const socket = await openTunnel(proxy, target, init.signal).catch(unreachable);
  const createConnection = (): Socket => tlsConnect({ socket, servername: target.hostname });
  return awaitResponse(tlsRequest(target, { method, headers, createConnection, signal: init.signal })).catch(unreachable);
}

/** A CONNECT tunnel through `proxy` to `target`'s host and port: the raw socket, for TLS to run over. */
function openTunnel(proxy: URL, target: URL, signal: AbortSignal | undefined): Promise<Socket> {
  const authority = `${target.hostname}:${target.port || 443}`;
  return new Promise((resolve, reject) => {
    const req = plainRequest({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...proxyAuthorization(proxy) },
      agent: false,
      signal,
    });
    req.once("connect", (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new VoxlabError(`proxy ${proxy.host} refused to connect to ${authority} (HTTP ${res.statusCode})`));
    });
    req.once("response", (res) => {
      res.resume();
      reject(new VoxlabError(`proxy ${proxy.host} refused to connect to ${authority} (HTTP ${res.statusCode})`));
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error("no answer"), { code: "ETIMEDOUT" })));
    req.once("error", reject);
    req.end();
  });
}

function awaitResponse(req: ReturnType<typeof plainRequest>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error("no answer"), { code: "ETIMEDOUT" })));
    req.once("response", (res) => {
      res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(Object.assign(new Error("stalled"), { code: "ETIMEDOUT" })));
      resolve(res);
    });
    req.once("error", reject);
    req.end();
  });
}

/** A response header as one string (repeated headers joined with ", "), or undefined. */
export function header(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Reads and drops a body that is not wanted (a redirect's, an error page), so the socket is released. */
export function discard(res: IncomingMessage): void {
  res.resume();
  res.on("error", () => {});
}

/** The one-line message for an HTTP error status. */
export function httpError(url: string, status: number): VoxlabError {
  if (status === 404) return new VoxlabError(`${url}: not found (404) — check the model id and revision`);
  if (status === 401 || status === 403) {
    return new VoxlabError(
      `${url}: access denied (${status}) — the model is gated or private (or does not exist); ` +
        "accept its terms on the model page and set HF_TOKEN to an access token",
    );
  }
  return new VoxlabError(`${url}: HTTP ${status} from the server`);
}

/** The system error code (ENOTFOUND, ECONNREFUSED, ...) somewhere in an error's cause chain. */
export function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export interface RetryOptions {
  /** Tries in all, the first included (default 5). */
  attempts?: number;
  /** The first back-off delay without Retry-After; it doubles each time (default 1000 ms). */
  baseDelayMs?: number;
  /** No wait is longer, Retry-After included (default 60 s). */
  maxDelayMs?: number;
  /** How to wait (tests record the delays instead). */
  sleep?: (ms: number) => Promise<void>;
}

/** Statuses the Hub and its CDN use for "busy, try again": rate limiting and transient server errors. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** `Retry-After` in seconds or as an HTTP date → milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * `httpRequest`, tried again after a wait when the answer is 429 or 5xx: Retry-After when the server gives it,
 * else exponential back-off; the last answer is returned as it is once the tries are used up.
 */
export async function requestWithRetry(url: string, init: RequestInit, retry: RetryOptions = {}): Promise<IncomingMessage> {
  const { attempts = 5, baseDelayMs = 1000, maxDelayMs = 60_000 } = retry;
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    const res = await httpRequest(url, init);
    if (!RETRYABLE.has(res.statusCode ?? 0) || attempt >= attempts) return res;
    discard(res);
    const wait = retryAfterMs(header(res, "retry-after")) ?? baseDelayMs * 2 ** (attempt - 1);
    await sleep(Math.min(wait, maxDelayMs));
  }
}
