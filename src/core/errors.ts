/**
 * An error caused by the user's input (a bad file, a bad flag, a missing model).
 * The CLI prints its message as one line and exits non-zero, without a stack trace.
 */
export class VoxlabError extends Error {
  override name = "VoxlabError";

  /** Control characters (from a file name, a field of a file) are escaped, so the message stays one line. */
  constructor(message: string) {
    super(printable(message));
  }
}

/** The message of any thrown value, for one-line reports. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Text from a file made safe for a one-line message: control characters become \xNN escapes. */
export function printable(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : code === 0x2028 || code === 0x2029 ? `\\u${code.toString(16)}` : c;
  }
  return out;
}

/** What a file-system error code means, for the codes a user can act on. */
const FILE_ERROR_REASONS: Record<string, string> = {
  ENOSPC: "disk full",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a parent is not a folder",
  ENOENT: "no such file or folder",
  EISDIR: "is a folder",
  EEXIST: "a file of that name is in the way",
  ENAMETOOLONG: "name too long",
  EMFILE: "too many open files",
  EIO: "input/output error",
};

/** `ENOSPC: disk full` for a file-system error; the message of any other error. */
export function fileErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && FILE_ERROR_REASONS[code]) return `${code}: ${FILE_ERROR_REASONS[code]}`;
  // Other errno codes say enough; other libraries' codes (SQLITE_CANTOPEN) come with a message.
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : errorMessage(err).split("\n")[0];
}

/** A one-line error for a failed file operation: `results/x/metrics.json: cannot write (ENOSPC: disk full)`. */
export function fileError(path: string, action: string, err: unknown): VoxlabError {
  return new VoxlabError(`${path}: ${action} (${fileErrorReason(err)})`);
}
