// Resumable, checksum-verified HTTP downloads: model files are tens of megabytes and connections drop.
// Bytes go to `<dest>.part`; a later call resumes it with a Range request; dest appears only once complete.
import { createHash, type Hash } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { dirname } from "node:path";
import { VoxlabError, errorMessage, fileError } from "../../core/errors.ts";
import { ensureDir } from "../../core/fs.ts";
import { hashFile, hashFileInto } from "../../core/hash.ts";
import { discard, header, httpError, networkCode, requestWithRetry, type RetryOptions } from "./http.ts";

export interface DownloadProgress {
  /** Bytes of the file on disk so far, a resumed part included. */
  received: number;
  /** The file's full size, when the server says it. */
  total: number | undefined;
}

/** What the finished file must hash to: its SHA-256 (LFS and Xet files) or its git blob SHA-1 (regular files). */
export interface ExpectedDigest {
  algorithm: "sha256" | "git-sha1";
  /** Lower-case hex. */
  digest: string;
}

export interface DownloadOptions {
  /** Without it the file is taken as it comes. */
  expected?: ExpectedDigest;
  /** The file's size when known beforehand (tells a complete .part from an oversized one on a 416). */
  size?: number;
  /** Request headers for `url`'s own origin only (e.g. Authorization): a redirect elsewhere gets none of them. */
  headers?: Record<string, string>;
  retry?: RetryOptions;
  /** Environment holding the proxy variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  size: number;
  sha256: string;
  /** Bytes that were already in `<dest>.part` and kept (0 for a fresh download). */
  resumedFrom: number;
}

/** How many times a connection that dropped mid-body is resumed within one call. */
const MAX_RESUMES = 5;
/** How many times a storage host's 403 (an expired signed URL) sends the download back to `url` for a fresh one. */
const MAX_REFRESHES = 3;
const MAX_REDIRECTS = 10;

/** Storage refused a redirect target: its signed URL expired (or refuses this Range); ask `url` again. */
class StorageRefused extends Error {}

/**
 * Downloads `url` to `destPath`, resuming `<destPath>.part` if a previous call left one, verifying `expected`,
 * then renaming the part into place. Redirects are followed; `headers` go to `url`'s origin only. A 403 from
 * another origin (a signed storage URL that expired, or refuses a Range) starts again from `url`.
 */
export async function downloadFile(url: string, destPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { expected, onProgress, signal } = options;
  const partPath = `${destPath}.part`;
  await ensureDir(dirname(destPath), "download folder");
  let resumes = 0;
  let refreshes = 0;
  for (;;) {
    const offset = await fileSize(partPath);
    let res: IncomingMessage;
    try {
      res = await follow(url, offset, options);
    } catch (err) {
      if (!(err instanceof StorageRefused)) throw err;
      if (refreshes >= MAX_REFRESHES) {
        throw new VoxlabError(`${url}: the storage host (${err.message}) refused the download ${refreshes + 1} times (403: an expired or refused signed URL); run again later`);
      }
      refreshes += 1;
      continue;
    }

    if (res.statusCode === 416 && offset > 0) {
      // The part may already hold the whole file (a crash between the last byte and the rename).
      discard(res);
      const total = parseContentRange(header(res, "content-range"))?.total ?? options.size;
      if (total !== offset) {
        await unlink(partPath);
        continue;
      }
      return finish(url, partPath, destPath, await hashFileInto(partPath, createHash("sha256")), offset, offset, expected);
    }

    let append: boolean;
    let total: number | undefined;
    if (res.statusCode === 206 && offset > 0) {
      const contentRange = parseContentRange(header(res, "content-range"));
      if (contentRange?.start !== offset) {
        // A range we did not ask for: start over rather than splice mismatched bytes.
        discard(res);
        await unlink(partPath);
        continue;
      }
      append = true;
      total = contentRange.total;
    } else if (res.statusCode === 200) {
      append = false; // a server that ignores Range sends the whole file: restart the part
      total = contentLength(res);
    } else {
      discard(res);
      throw httpError(url, res.statusCode ?? 0);
    }

    const start = append ? offset : 0;
    const hash = append ? await hashFileInto(partPath, createHash("sha256")) : createHash("sha256");
    let size: number;
    try {
      size = await streamToFile(res, partPath, append, start, hash, (received) => onProgress?.({ received, total }));
      if (total !== undefined && size !== total) throw new Error(`body ended at ${size} of ${total} bytes`);
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isFileSystemError(err)) throw fileError(partPath, "cannot write", err);
      if (resumes < MAX_RESUMES) {
        resumes += 1;
        continue;
      }
      throw new VoxlabError(
        `${url}: connection lost after ${await fileSize(partPath)} bytes (${networkCode(err) ?? errorMessage(err)}); run again to resume`,
      );
    }
    return finish(url, partPath, destPath, hash, size, start, expected);
  }
}

/**
 * GETs `url` from byte `offset`, following redirects by hand so that `headers` reach `url`'s origin only.
 * Returns the first non-redirect answer; a 403 from another origin throws StorageRefused.
 */
async function follow(url: string, offset: number, options: DownloadOptions): Promise<IncomingMessage> {
  const origin = new URL(url).origin;
  const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const own = new URL(current).origin === origin;
    const headers = { ...(own ? options.headers : {}), ...range };
    const res = await requestWithRetry(current, { headers, signal: options.signal, env: options.env }, options.retry);
    const status = res.statusCode ?? 0;
    const location = header(res, "location");
    if (status >= 300 && status < 400 && location !== undefined) {
      discard(res);
      current = new URL(location, current).href;
      continue;
    }
    if (status === 403 && !own) {
      discard(res);
      throw new StorageRefused(new URL(current).host);
    }
    return res;
  }
  throw new VoxlabError(`${url}: too many redirects`);
}

/** Appends the body to the part chunk by chunk, so every byte received before a drop is on disk. */
async function streamToFile(
  res: IncomingMessage,
  partPath: string,
  append: boolean,
  start: number,
  hash: Hash,
  onBytes: (received: number) => void,
): Promise<number> {
  let received = start;
  const file = await open(partPath, append ? "a" : "w");
  try {
    for await (const chunk of res) {
      await file.write(chunk as Buffer);
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
      onBytes(received);
    }
    return received;
  } finally {
    await file.close();
  }
}

async function finish(
  url: string,
  partPath: string,
  destPath: string,
  hash: Hash,
  size: number,
  resumedFrom: number,
  expected: ExpectedDigest | undefined,
): Promise<DownloadResult> {
  const sha256 = hash.digest("hex");
  const got = expected?.algorithm === "git-sha1" ? await fileDigest(partPath, "git-sha1") : sha256;
  if (expected !== undefined && got !== expected.digest.toLowerCase()) {
    await unlink(partPath);
    throw new VoxlabError(
      `${url}: checksum mismatch (expected ${expected.algorithm} ${expected.digest}, got ${got}); the partial download was deleted, run again`,
    );
  }
  await rename(partPath, destPath);
  return { size, sha256, resumedFrom };
}

/**
 * A file's SHA-256, or its git blob SHA-1 (`sha1("blob <size>\0" + bytes)`, the ETag the Hub gives a file kept in
 * git rather than LFS), as lower-case hex.
 */
export async function fileDigest(path: string, algorithm: ExpectedDigest["algorithm"]): Promise<string> {
  if (algorithm === "sha256") return hashFile(path);
  const hash = createHash("sha1").update(`blob ${(await stat(path)).size}\0`);
  return (await hashFileInto(path, hash)).digest("hex");
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export function contentLength(res: IncomingMessage): number | undefined {
  const value = header(res, "content-length");
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** `bytes 100-199/1000` → {start 100, total 1000}; `bytes *\/1000` (a 416's form) → {total 1000}. */
function parseContentRange(value: string | undefined): { start?: number; total?: number } | undefined {
  const match = value?.match(/^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/);
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === "*" ? undefined : Number(match[2]),
  };
}

/** Whether an error came from opening or writing the local file (ENOSPC, EACCES, ...), as opposed to the network. */
function isFileSystemError(err: unknown): boolean {
  const { syscall } = err as NodeJS.ErrnoException;
  return syscall === "open" || syscall === "write";
}
