import { VoxlabError } from "../errors.ts";
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
export declare class UnreachableError extends VoxlabError {
    readonly host: string;
    readonly code: string;
    constructor(host: string, code: string);
}
/**
 * Downloads `url` to `destPath`, resuming `<destPath>.part` if a previous call left one, verifying
 * `expectedSha256` (hashed while streaming), then renaming the part into place.
 */
export declare function downloadFile(url: string, destPath: string, options?: DownloadOptions): Promise<DownloadResult>;
/** One HTTP request; a failure to connect becomes an `UnreachableError` naming the host. */
export declare function httpRequest(url: string, init: {
    method?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
    redirect?: RequestRedirect;
}): Promise<Response>;
/** The one-line message for an HTTP error status. */
export declare function httpError(url: string, status: number): VoxlabError;
