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
  return text.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
