// What a request may send: zod schemas of the JSON bodies and query strings, and the 400 naming the first problem.
// zod is loaded when a service starts (core/lazy-modules), not when the library is imported.
import type { ZodType } from "zod";
import { zod } from "../core/lazy-modules.ts";
import { HttpError } from "./http-error.ts";

/** The schemas of the service's requests; batch and enrollment bodies name at most `maxBatch` files. */
export function requestSchemas(maxBatch: number) {
  const z = zod();
  const path = z.string().min(1);
  return {
    oneAudio: z.object({ audio_path: path }).strict(),
    identifyBody: z.object({ audio_path: path, top_k: z.number().int().min(1).max(1000).optional() }).strict(),
    batchBody: z.object({ audio_paths: z.array(path).min(1).max(maxBatch) }).strict(),
    enrollBody: z.object({ audio_path: path.optional(), audio_paths: z.array(path).min(1).max(maxBatch).optional() }).strict(),
    topKQuery: z.object({ top_k: z.coerce.number().int().min(1).max(1000).optional() }).strict(),
    noQuery: z.object({}).strict(),
  };
}

export type RequestSchemas = ReturnType<typeof requestSchemas>;

/** `data` checked against `schema`, or a 400 naming `what`, the field and zod's description of its first problem. */
export function parse<T>(schema: ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join(".");
  throw new HttpError(400, `${what}: ${field ? `${field}: ` : ""}${issue.message}`);
}
