// The audio a request names: JSON paths (checked against the audio roots now, read later in the queue), a raw
// audio body, or multipart file parts.
import type { FastifyError, FastifyRequest } from "fastify";
import { errorMessage } from "../core/errors.ts";
import type { AudioRoots } from "./audio-roots.ts";
import { HttpError } from "./http-error.ts";
import { parse, type RequestSchemas } from "./requests.ts";

/** One audio input of a request: an upload already in memory, or a checked file path read when its job runs. */
export interface AudioInput {
  name: string;
  bytes?: Buffer;
  realPath?: string;
  /** Why a batch item cannot be read (reported in its result). */
  error?: unknown;
}

/** What a route takes: `single` and `identify` one input, `batch` and `enroll` up to maxBatch. */
export type InputKind = "single" | "identify" | "batch" | "enroll";

export class RequestAudio {
  constructor(
    private readonly roots: AudioRoots,
    private readonly maxBatch: number,
    private readonly schemas: RequestSchemas,
  ) {}

  /** The inputs of `request`, as many as `kind` allows. */
  async inputs(request: FastifyRequest, kind: InputKind): Promise<AudioInput[]> {
    const many = kind === "batch" || kind === "enroll";
    const max = many ? this.maxBatch : 1;
    if (request.isMultipart()) return this.parts(request, max);
    const body = request.body;
    if (Buffer.isBuffer(body)) return [{ name: "upload", bytes: body }];
    if (body === undefined || body === null) throw new HttpError(400, 'send JSON {"audio_path": ...} or the audio itself (multipart or Content-Type: audio/wav)');
    const { schemas } = this;
    let paths: string[];
    if (kind === "batch") paths = parse(schemas.batchBody, body, "request body").audio_paths;
    else if (kind === "enroll") {
      const parsed = parse(schemas.enrollBody, body, "request body");
      if ((parsed.audio_path === undefined) === (parsed.audio_paths === undefined)) throw new HttpError(400, "request body: give audio_path or audio_paths (one of them)");
      paths = parsed.audio_paths ?? [parsed.audio_path as string];
    } else paths = [parse(kind === "identify" ? schemas.identifyBody : schemas.oneAudio, body, "request body").audio_path];
    if (kind === "batch") {
      // A batch reports each path's problem in its own result; other requests fail on the first.
      return Promise.all(paths.map(async (p) => this.roots.resolve(p).then((realPath) => ({ name: p, realPath }), (err: unknown) => ({ name: p, error: err }))));
    }
    return Promise.all(paths.map(async (p) => ({ name: p, realPath: await this.roots.resolve(p) })));
  }

  /** The file parts of a multipart body, at most `max`; any other field is refused. */
  private async parts(request: FastifyRequest, max: number): Promise<AudioInput[]> {
    const inputs: AudioInput[] = [];
    try {
      for await (const part of request.parts()) {
        if (part.type !== "file") throw new HttpError(400, `unexpected multipart field "${part.fieldname}": send audio as file parts`);
        inputs.push({ name: part.filename || part.fieldname, bytes: await part.toBuffer() });
        if (inputs.length > max) throw new HttpError(400, `at most ${max} audio file${max > 1 ? "s" : ""} per request`);
      }
    } catch (err) {
      // The multipart parser's own errors (no boundary, a cut body) carry no status: the body is malformed.
      if (err instanceof HttpError || (err as FastifyError).statusCode !== undefined) throw err;
      throw new HttpError(400, `malformed multipart body: ${errorMessage(err)}`);
    }
    if (inputs.length === 0) throw new HttpError(400, "the multipart body holds no audio file");
    return inputs;
  }
}
