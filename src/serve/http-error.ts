// Errors that carry their HTTP status: the service answers them as `{ "error": message }` with that status.
import { VoxlabError } from "../core/errors.ts";

export class HttpError extends VoxlabError {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra response headers (e.g. Retry-After on 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
