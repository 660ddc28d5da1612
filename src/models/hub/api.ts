// Talking to the Hugging Face Hub as huggingface_hub does: which file a revision holds, its commit and
// checksum, read from the Hub's own answer (never the storage host's), with the token kept on the Hub.
import type { IncomingMessage } from "node:http";
import { VoxlabError } from "../../core/errors.ts";
import type { ExpectedDigest } from "./download.ts";
import { discard, header, httpError, requestWithRetry, type RetryOptions } from "./http.ts";

export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** How to reach the Hub: its address, the token (sent to that origin only), retries, proxies. */
export interface HubClient {
  endpoint: string;
  token?: string;
  retry?: RetryOptions;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface HubFileMetadata {
  /** The commit the revision pointed to (X-Repo-Commit), when the Hub said. */
  commit?: string;
  /** The checksum the Hub published: X-Linked-Etag (SHA-256) for LFS/Xet files, the ETag (git blob SHA-1) otherwise. */
  expected?: ExpectedDigest;
  /** X-Linked-Size for LFS/Xet files, else Content-Length. */
  size?: number;
}

/** `<endpoint>/<repo>/resolve/<revision>/<file>`, the URL the Hub serves a file at. */
export function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`;
}

/** The Authorization header for `client`, or none. */
export const authHeaders = (client: HubClient): Record<string, string> => (client.token ? { authorization: `Bearer ${client.token}` } : {});

const isRelative = (location: string): boolean => !/^([a-z][a-z0-9+.-]*:)?\/\//i.test(location);

/**
 * HEADs a file's resolve URL. Relative redirects (the Hub's own, e.g. 307 to /api/resolve-cache/...) are
 * followed; the first absolute redirect (to storage, which may refuse HEAD and must not see the token) is
 * where it stops: the Hub puts the commit, X-Linked-Etag and X-Linked-Size on that redirect itself.
 */
export async function hubFileMetadata(client: HubClient, repoId: string, revision: string, file: string): Promise<HubFileMetadata> {
  const url = resolveUrl(client.endpoint, repoId, revision, file);
  const hops: IncomingMessage[] = [];
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await requestWithRetry(current, { method: "HEAD", headers: authHeaders(client), signal: client.signal, env: client.env }, client.retry);
    discard(res);
    hops.push(res);
    const status = res.statusCode ?? 0;
    const location = header(res, "location");
    if (status >= 300 && status < 400 && location !== undefined && isRelative(location)) {
      current = new URL(location, current).href;
      continue;
    }
    if (status >= 400 || (status >= 300 && location === undefined)) throw hubError(url, res);
    // The last answer's value first; an earlier hop's when the last lacks it.
    const read = (name: string): string | undefined => hops.map((h) => header(h, name)).reduce((found, v) => v ?? found, undefined);
    const size = read("x-linked-size") ?? (status < 300 ? read("content-length") : undefined);
    return {
      commit: read("x-repo-commit"),
      expected: digestFromEtag(read("x-linked-etag") ?? read("etag")),
      size: size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined,
    };
  }
  throw new VoxlabError(`${url}: too many redirects`);
}

/** The Hub's error message for a status, naming what X-Error-Code says was missing. */
function hubError(url: string, res: IncomingMessage): VoxlabError {
  const code = header(res, "x-error-code");
  if (res.statusCode === 404 && code === "RevisionNotFound") return new VoxlabError(`${url}: revision not found (404) — check --revision`);
  if (res.statusCode === 404 && code === "EntryNotFound") return new VoxlabError(`${url}: the repository has no such file (404)`);
  return httpError(url, res.statusCode ?? 0);
}

/**
 * An ETag as the Hub means it: 64 hex digits are a SHA-256 (LFS/Xet files), 40 a git blob SHA-1 (regular
 * files); anything else verifies nothing. Quotes and a weak `W/` prefix are stripped.
 */
export function digestFromEtag(etag: string | undefined | null): ExpectedDigest | undefined {
  const value = etag?.replace(/^W\//, "").replace(/"/g, "").trim().toLowerCase();
  if (value === undefined) return undefined;
  if (/^[0-9a-f]{64}$/.test(value)) return { algorithm: "sha256", digest: value };
  if (/^[0-9a-f]{40}$/.test(value)) return { algorithm: "git-sha1", digest: value };
  return undefined;
}

export interface RepoInfo {
  commit: string;
  files: string[];
}

/** A repo's file list is kilobytes; a larger answer is not the Hub's. */
const MAX_INFO_BYTES = 16 * 2 ** 20;

/** The commit a revision points to and the files it holds (`/api/models/<repo>/revision/<rev>`). */
export async function hubRepoInfo(client: HubClient, repoId: string, revision: string): Promise<RepoInfo> {
  const url = `${client.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`;
  const res = await requestWithRetry(url, { headers: authHeaders(client), signal: client.signal, env: client.env }, client.retry);
  if (res.statusCode !== 200) {
    discard(res);
    throw hubError(url, res);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > MAX_INFO_BYTES) {
      res.destroy();
      throw new VoxlabError(`${url}: the Hub's answer is over ${MAX_INFO_BYTES >> 20} MiB`);
    }
  }
  let info: { sha?: unknown; siblings?: unknown };
  try {
    info = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof info;
  } catch {
    throw new VoxlabError(`${url}: the Hub's answer is not JSON`);
  }
  const siblings = Array.isArray(info.siblings) ? (info.siblings as { rfilename?: unknown }[]) : [];
  if (typeof info.sha !== "string" || !/^[0-9a-f]{40}$/.test(info.sha)) throw new VoxlabError(`${url}: the Hub's answer names no commit`);
  return { commit: info.sha, files: siblings.map((s) => s.rfilename).filter((f): f is string => typeof f === "string") };
}
