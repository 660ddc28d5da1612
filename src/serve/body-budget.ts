// Server-wide memory for request bodies: each request reserves the bytes its body may hold before any of
// it is read, and returns them when its response is done, so several large uploads at once cannot add up
// past the budget; the ones that do not fit are refused (503 with Retry-After) while still unread.
import { HttpError } from "./http-error.ts";

export class BodyBudget {
  private reserved = 0;

  constructor(
    /** Bytes all bodies held at once may take. */
    readonly totalBytes: number,
    readonly retryAfterSeconds = 1,
  ) {
    if (!(Number.isSafeInteger(totalBytes) && totalBytes > 0)) throw new RangeError(`the body memory budget must be a positive integer, got ${totalBytes}`);
  }

  get inUse(): number {
    return this.reserved;
  }

  /**
   * Reserves `bytes` and returns the function that gives them back (idempotent). 413 when one body could
   * never fit, 503 when it does not fit now.
   */
  reserve(bytes: number): () => void {
    if (bytes > this.totalBytes) {
      throw new HttpError(413, `a ${bytes}-byte request body is over the server's ${this.totalBytes}-byte body memory budget; send fewer or smaller files per request`);
    }
    if (this.reserved + bytes > this.totalBytes) {
      throw new HttpError(503, `busy: request bodies in progress hold ${this.reserved} of ${this.totalBytes} bytes of body memory; retry later`, {
        "retry-after": String(this.retryAfterSeconds),
      });
    }
    this.reserved += bytes;
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.reserved -= bytes;
    };
  }
}
