// Resumable, checksum-verified HTTP downloads: model files are tens of megabytes and connections drop.
// Bytes go to `<dest>.part`; a later call resumes it with a Range request; dest appears only once complete.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { VoxlabError, errorMessage, fileError } from "../errors.ts";
import { ensureDir } from "../io/npy.ts";

export interface DownloadProgress {
  /** Bytes of the file on disk so far, a resumed part included. */
  received: number;
  /** The file's full size, when the server says it. */
  total: number | undefined;
}

export interface DownloadOptions {
  /** Lower-case hex SHA-256 the finished file must have; without it the file is taken as it comes. */
  expectedSha256?: string;
  /** Extra request headers (e.g. an Authorization bearer token). */
  headers?: Record<string, string>;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  size: number;
  sha256: string;
  /** Bytes that were already in `<dest>.part` and kept (0 for a fresh download). */
  resumedFrom: number;
}

/** The host could not be reached at all: offline, DNS failure, connection refused. */
export class UnreachableError extends VoxlabError {
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(`cannot reach ${host} (${code})`);
  }
}

/** How many times a connection that dropped mid-body is resumed within one call. */
const MAX_RESUMES = 5;

/**
 * Downloads `url` to `destPath`, resuming `<destPath>.part` if a previous call left one, verifying
 * `expectedSha256` (hashed while streaming), then renaming the part into place.
 */
export async function downloadFile(url: string, destPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { expectedSha256, headers = {}, onProgress, signal } = options;
  const partPath = `${destPath}.part`;
  await ensureDir(dirname(destPath), "download folder");
  let resumes = 0;
  for (;;) {
    const offset = await fileSize(partPath);
    const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const res = await httpRequest(url, { headers: { ...headers, ...range }, signal });

    if (res.status === 416 && offset > 0) {
      // The part may already hold the whole file (a crash between the last byte and the rename).
      await res.body?.cancel();
      const total = parseContentRange(res.headers.get("content-range"))?.total ?? (await remoteSize(url, headers, signal));
      if (total !== offset) {
        await unlink(partPath);
        continue;
      }
      const hash = await hashFile(partPath);
      return finish(url, partPath, destPath, hash, offset, offset, expectedSha256);
    }

    let append: boolean;
    let total: number | undefined;
    if (res.status === 206 && offset > 0) {
      const contentRange = parseContentRange(res.headers.get("content-range"));
      if (contentRange?.start !== offset) {
        // A range we did not ask for: start over rather than splice mismatched bytes.
        await res.body?.cancel();
        await unlink(partPath);
        continue;
      }
      append = true;
      total = contentRange.total;
    } else if (res.status === 200) {
      append = false; // a server that ignores Range sends the whole file: restart the part
      total = contentLength(res);
    } else {
      await res.body?.cancel();
      throw httpError(url, res.status);
    }

    const start = append ? offset : 0;
    const hash = append ? await hashFile(partPath) : createHash("sha256");
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
    return finish(url, partPath, destPath, hash, size, start, expectedSha256);
  }
}

/** One HTTP request; a failure to connect becomes an `UnreachableError` naming the host. */
export async function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; signal?: AbortSignal; redirect?: RequestRedirect },
): Promise<Response> {
  try {
    // identity: byte ranges and Content-Length must refer to the file itself, not a compressed form of it.
    return await fetch(url, { ...init, headers: { "accept-encoding": "identity", ...init.headers } });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new UnreachableError(new URL(url).host, networkCode(err) ?? errorMessage(err));
  }
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

/** Appends the body to the part chunk by chunk, so every byte received before a drop is on disk. */
async function streamToFile(
  res: Response,
  partPath: string,
  append: boolean,
  start: number,
  hash: Hash,
  onBytes: (received: number) => void,
): Promise<number> {
  let received = start;
  const file = await open(partPath, append ? "a" : "w");
  try {
    if (!res.body) return received;
    for await (const chunk of Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>)) {
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
  expectedSha256: string | undefined,
): Promise<DownloadResult> {
  const sha256 = hash.digest("hex");
  if (expectedSha256 !== undefined && sha256 !== expectedSha256.toLowerCase()) {
    await unlink(partPath);
    throw new VoxlabError(
      `${url}: checksum mismatch (expected sha256 ${expectedSha256}, got ${sha256}); the partial download was deleted, run again`,
    );
  }
  await rename(partPath, destPath);
  return { size, sha256, resumedFrom };
}

async function hashFile(path: string): Promise<Hash> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function remoteSize(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<number | undefined> {
  const res = await httpRequest(url, { method: "HEAD", headers, signal });
  return res.ok ? contentLength(res) : undefined;
}

function contentLength(res: Response): number | undefined {
  const value = res.headers.get("content-length");
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** `bytes 100-199/1000` → {start 100, total 1000}; `bytes *\/1000` (a 416's form) → {total 1000}. */
function parseContentRange(value: string | null): { start?: number; total?: number } | undefined {
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

/** The system error code (ENOTFOUND, ECONNREFUSED, ...) somewhere in a fetch error's cause chain. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
