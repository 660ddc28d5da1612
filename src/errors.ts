/**
 * An error caused by the user's input (a bad file, a bad flag, a missing model).
 * The CLI prints its message as one line and exits non-zero, without a stack trace.
 */
export class VoxlabError extends Error {
  override name = "VoxlabError";
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
