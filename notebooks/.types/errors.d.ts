/**
 * An error caused by the user's input (a bad file, a bad flag, a missing model).
 * The CLI prints its message as one line and exits non-zero, without a stack trace.
 */
export declare class VoxlabError extends Error {
    name: string;
}
/** The message of any thrown value, for one-line reports. */
export declare function errorMessage(err: unknown): string;
/** Text from a file made safe for a one-line message: control characters become \xNN escapes. */
export declare function printable(text: string): string;
