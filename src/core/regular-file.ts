// Reading a file that a user, a dataset or a client named: only regular files. A device (/dev/zero) reports
// size 0 and never ends, a FIFO blocks its reader forever, a directory or socket is no audio; each is
// refused from the open descriptor's own fstat (no race with a rename between check and read), and the open
// is non-blocking so that a FIFO without a writer cannot hold the caller.
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { fileErrorReason, VoxlabError } from "./errors.ts";

/** Why a file could not be read: callers map it (the service to 404 / 403 / 422). */
export type FileProblem = "missing" | "not-regular" | "denied" | "too-large" | "unreadable";

export class FileReadError extends VoxlabError {
  constructor(
    readonly problem: FileProblem,
    message: string,
    /** The cause alone, for messages worded by the caller: `ENOENT`, `is a FIFO (named pipe), not a regular file`. */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** What a non-regular file is, in words. */
function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/** Opens `path` for reading if it is a regular file; the caller closes the handle. `name` starts the messages. */
export async function openRegularFile(path: string, name = path): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new FileReadError("missing", `${name}: file not found`, code);
    if (code === "EACCES" || code === "EPERM") throw new FileReadError("denied", `${name}: permission denied`, code);
    // Opening a Unix socket fails with ENXIO: it is no file to read.
    if (code === "ENXIO") throw new FileReadError("not-regular", `${name}: is a socket or device, not a regular file`, "is a socket or device, not a regular file");
    throw new FileReadError("unreadable", `${name}: cannot open (${fileErrorReason(err)})`, fileErrorReason(err));
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileReadError("not-regular", `${name}: is ${kindOf(stats)}, not a regular file`, `is ${kindOf(stats)}, not a regular file`);
    return { handle, size: stats.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The whole of a regular file, refused before reading when it holds more than `maxBytes`. `name` starts the messages. */
export async function readRegularFile(path: string, maxBytes = Number.POSITIVE_INFINITY, limitWhat = "limit", name = path): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path, name);
  try {
    if (size > maxBytes) throw new FileReadError("too-large", `${name}: ${size} bytes is over the ${maxBytes}-byte ${limitWhat}`, `${size} bytes is over the ${maxBytes}-byte ${limitWhat}`);
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    // A file that grows while read is cut at the size fstat gave; one that shrinks ends early.
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes.subarray(0, at);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw new FileReadError("unreadable", `${name}: cannot read (${fileErrorReason(err)})`, fileErrorReason(err));
  } finally {
    await handle.close();
  }
}
