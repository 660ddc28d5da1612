// `voxlab serve`: a thin HTTP layer (Fastify) over the library — embeddings, enrollment in SQLite, verification
// and identification — with the safety a network service needs: audio roots, size/length limits, a bearer
// token, validated requests, a bounded work queue and a graceful shutdown.
import fastifyMultipart from "@fastify/multipart";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { basename } from "node:path";
import { z } from "zod";
import { decodeAudio, resampleNamed } from "../audio/decode.ts";
import { EmbeddingExtractor } from "../embeddings/extractor.ts";
import { modelIdentity, modelKey } from "../models/identity.ts";
import type { CentroidMethod } from "../enrollment/centroid.ts";
import type { SpeakerProfiles } from "../enrollment/profiles.ts";
import { errorMessage, printable, VoxlabError } from "../core/errors.ts";
import { FileReadError, readRegularFile, type FileProblem } from "../core/regular-file.ts";
import { AudioRoots } from "./audio-roots.ts";
import { BodyBudget } from "./body-budget.ts";
import { HttpError } from "./http-error.ts";
import { WorkQueue } from "./queue.ts";
import { SpeakerDb } from "./speaker-db.ts";
import { calibrateScore, type ServeCalibration } from "./calibration.ts";
import type { ServeThreshold } from "./threshold.ts";

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  modelPath: string;
  dbPath: string;
  audioRoots: string[];
  threshold: ServeThreshold;
  /** Adds llr and posterior to verify/identify answers (see serve/calibration.ts). */
  calibration?: ServeCalibration;
  /** Bearer token every request must carry; required unless `host` is loopback. */
  token?: string;
  maxUploadBytes: number;
  maxAudioSeconds: number;
  /** Embedding jobs run at once. */
  concurrency: number;
  /** Embedding jobs that may wait for a slot; more get 503. */
  queueLength: number;
  /** Files in one batch or enrollment request, at most. */
  maxBatch: number;
  centroidMethod: CentroidMethod;
  /** How long a shutdown waits for in-flight work. */
  shutdownTimeoutMs: number;
  /** Bytes all request bodies held at once may take (503 beyond). */
  bodyMemoryBytes: number;
  /** Time a client has to send its whole request (headers and body); 408 after it. */
  bodyTimeoutMs: number;
  /** Connections open at once, at most; more are closed as they arrive. */
  maxConnections: number;
  intraOpThreads?: number;
}

/** Loopback addresses (and `localhost`): the only hosts the service may listen on without a token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The one-line refusal for a token that no request could match (an Authorization header carries visible
 * ASCII only, and its value is trimmed) or a non-loopback host without a token; undefined when safe.
 */
export function tokenProblem(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && !/^[\x21-\x7e]*$/.test(token)) return "the bearer token must be visible ASCII characters (no spaces, control or non-ASCII characters): no request could send it";
  if (token !== undefined && token.length < 16) return "the bearer token must be at least 16 characters";
  if (!isLoopbackHost(host) && !token) return `refusing to listen on ${host} (not loopback) without a bearer token: pass --token or set VOXLAB_TOKEN`;
  return undefined;
}

/** Speaker ids: safe in a URL path and a log line. */
const SPEAKER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const AUDIO_TYPES = ["audio/wav", "audio/x-wav", "audio/wave", "audio/flac", "audio/x-flac", "application/octet-stream"];
const JSON_BODY_LIMIT = 1 << 20;
/** Ids are up to 128 characters; URL-encoded, a path parameter may be longer than the id it decodes to. */
const MAX_PARAM_LENGTH = 3 * 128;

/** The status a file that cannot be read gets: what the client named is missing, forbidden or no audio. */
const FILE_PROBLEM_STATUS: Record<FileProblem, number> = { missing: 404, denied: 403, "not-regular": 422, "too-large": 413, unreadable: 422 };

const path = z.string().min(1);
const oneAudio = z.object({ audio_path: path }).strict();
const identifyBody = z.object({ audio_path: path, top_k: z.number().int().min(1).max(1000).optional() }).strict();
const topKQuery = z.object({ top_k: z.coerce.number().int().min(1).max(1000).optional() }).strict();
const noQuery = z.object({}).strict();

/** One audio input of a request: an upload already in memory, or a checked file path read when its job runs. */
interface AudioInput {
  name: string;
  bytes?: Buffer;
  realPath?: string;
  /** Why a batch item cannot be read (reported in its result). */
  error?: unknown;
}

interface Embedded {
  name: string;
  embedding: Float32Array;
  seconds: number;
}

type ItemResult = Embedded | { name: string; status: number; error: string };

/** `data` checked against `schema`, or a 400 naming `what`, the field and zod's description of its first problem. */
function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join(".");
  throw new HttpError(400, `${what}: ${field ? `${field}: ` : ""}${issue.message}`);
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

export class VoxlabService {
  readonly app: FastifyInstance;
  private profiles: SpeakerProfiles;
  private closing = false;
  private readonly bodies: BodyBudget;
  private readonly bodyReservations = new WeakMap<FastifyRequest, () => void>();
  /** Requests dropped because their client went away while they waited. */
  private dropped = 0;

  private constructor(
    readonly options: ServeOptions,
    private readonly extractor: EmbeddingExtractor,
    private readonly db: SpeakerDb,
    private readonly roots: AudioRoots,
    readonly queue: WorkQueue,
  ) {
    this.profiles = db.profiles(options.threshold.value);
    this.bodies = new BodyBudget(options.bodyMemoryBytes);
    this.app = this.buildApp();
  }

  /** Loads the model, opens the database and builds the routes (not listening yet). */
  static async create(options: ServeOptions): Promise<VoxlabService> {
    const problem = tokenProblem(options.host, options.token);
    if (problem) throw new VoxlabError(problem);
    const roots = await AudioRoots.create(options.audioRoots);
    const key = modelKey(await modelIdentity(options.modelPath));
    const extractor = await EmbeddingExtractor.load(options.modelPath, { intraOpThreads: options.intraOpThreads });
    let db: SpeakerDb;
    try {
      db = SpeakerDb.open(options.dbPath, { method: options.centroidMethod, modelKey: key, dimension: extractor.dimension });
    } catch (err) {
      await extractor.close();
      throw err;
    }
    return new VoxlabService(options, extractor, db, roots, new WorkQueue(options.concurrency, options.queueLength));
  }

  /** Starts listening; returns the URL. */
  async listen(): Promise<string> {
    return this.app.listen({ host: this.options.host, port: this.options.port });
  }

  /**
   * Stops accepting requests, rejects queued jobs (503), lets running ones finish (up to the deadline), then
   * closes the database and the model. Resolves true when everything finished in time.
   */
  async close(): Promise<boolean> {
    if (this.closing) return true;
    this.closing = true;
    this.queue.close();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.options.shutdownTimeoutMs)));
    const finished = await Promise.race([this.app.close().then(() => this.queue.drained()).then(() => true as const), deadline]);
    clearTimeout(timer);
    // Every acknowledged enrollment is already committed; closing checkpoints the WAL.
    this.db.close();
    if (finished) await this.extractor.close();
    return finished;
  }

  private buildApp(): FastifyInstance {
    const { options } = this;
    // Node answers 408 itself to a request whose headers and body have not all arrived in time (checked
    // every half second); idle keep-alive connections close after 5 s, so slow clients free their slots.
    const timeout = options.bodyTimeoutMs;
    const app = Fastify({
      logger: false,
      bodyLimit: JSON_BODY_LIMIT,
      return503OnClosing: true,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      requestTimeout: timeout,
      keepAliveTimeout: 5000,
      http: { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(500, timeout) },
    });
    app.server.maxConnections = options.maxConnections;
    // Node times a request out only once it has begun: a connection that sends no complete request head
    // within the timeout is closed here, so silent connections cannot hold the slots.
    const started = new WeakSet<Socket>();
    app.server.on("request", (request: IncomingMessage) => started.add(request.socket));
    app.server.on("connection", (socket: Socket) => {
      const timer = setTimeout(() => started.has(socket) || socket.destroy(), timeout).unref();
      socket.once("close", () => clearTimeout(timer));
    });
    const expected = options.token === undefined ? undefined : sha256(options.token);

    app.addHook("onRequest", async (request, reply) => {
      if (expected) {
        // The scheme is case-insensitive (RFC 9110 §11.1); the token is compared exactly.
        const given = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
        if (given === undefined || !timingSafeEqual(sha256(given), expected)) {
          void reply.header("www-authenticate", 'Bearer realm="voxlab"');
          throw new HttpError(401, given === undefined ? "missing bearer token (Authorization: Bearer <token>)" : "wrong bearer token");
        }
      }
      this.reserveBody(request);
    });
    app.addHook("onResponse", async (request) => this.releaseBody(request));
    app.addHook("onRequestAbort", async (request) => this.releaseBody(request));
    // While shutting down, no connection is kept alive after its response, so closing does not wait on idle clients.
    app.addHook("onSend", async (_request, reply) => {
      if (this.closing) void reply.header("connection", "close");
    });
    // Only JSON, audio bodies and multipart are accepted (anything else: 415).
    app.removeContentTypeParser("text/plain");
    app.addContentTypeParser(AUDIO_TYPES, { parseAs: "buffer", bodyLimit: options.maxUploadBytes }, (_request, body, done) => done(null, body));
    void app.register(fastifyMultipart, { limits: { fileSize: options.maxUploadBytes, files: options.maxBatch, fields: 1, fieldSize: 64 } });
    app.setErrorHandler((err: unknown, _request, reply) => this.sendError(err, reply));
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` }));

    const calibration = options.calibration;
    const calibrated = (score: number) => (calibration ? calibrateScore(calibration, score) : {});

    app.get("/health", async (request) => {
      parse(noQuery, request.query, "query");
      const info = this.extractor.model.info;
      return {
        status: this.closing ? "shutting down" : "ok",
        ready: !this.closing,
        model: { name: basename(options.modelPath), source: info.source, dimension: info.embeddingDim, sample_rate: info.sampleRate },
        threshold: { value: options.threshold.value, source: options.threshold.source },
        ...(calibration ? { calibration: { source: calibration.source, scale: calibration.calibration.scale, offset: calibration.calibration.offset, prior: calibration.prior, decide_at_prior: calibration.decideAtPrior } } : {}),
        speakers: this.profiles.size,
        queue: { ...this.queue.stats, dropped: this.dropped },
        body_memory: { in_use: this.bodies.inUse, budget: this.bodies.totalBytes },
      };
    });

    app.post("/extract-embedding", async (request) => {
      parse(noQuery, request.query, "query");
      const [input] = await this.audioInputs(request, "single");
      const [item] = await this.embed([input], true, request);
      return this.embeddingJson(item as Embedded);
    });

    app.post("/batch-extract-embeddings", async (request) => {
      parse(noQuery, request.query, "query");
      const inputs = await this.audioInputs(request, "batch");
      const items = await this.embed(inputs, false, request);
      return {
        dimension: this.extractor.dimension,
        results: items.map((item) => ("error" in item ? { name: item.name, status: item.status, error: item.error } : this.embeddingJson(item))),
      };
    });

    app.post<{ Params: { id: string } }>("/speakers/:id/enroll", async (request) => {
      parse(noQuery, request.query, "query");
      const speaker = this.speakerId(request.params.id);
      const inputs = await this.audioInputs(request, "enroll");
      const items = (await this.embed(inputs, true, request)) as Embedded[];
      // One transaction: all of this request's utterances or none.
      const stored = this.db.enroll(speaker, items.map((i) => i.embedding), items.map((i) => i.name));
      this.profiles.enroll(speaker, items.map((i) => i.embedding));
      return { speaker, added: items.length, count: stored.count, dimension: stored.centroid.length };
    });

    app.post<{ Params: { id: string } }>("/speakers/:id/verify", async (request) => {
      parse(noQuery, request.query, "query");
      const speaker = this.knownSpeaker(request.params.id);
      const [input] = await this.audioInputs(request, "single");
      const [item] = (await this.embed([input], true, request)) as Embedded[];
      // Deleted while this request waited: as if it had not been enrolled.
      if (!this.profiles.has(speaker)) throw new HttpError(404, `no enrolled speaker "${speaker}" (deleted while this request waited)`);
      const result = this.profiles.verify(speaker, item.embedding);
      return { speaker, score: result.score, ...calibrated(result.score), accepted: result.accepted, threshold: result.threshold };
    });

    app.post("/identify", async (request) => {
      const query = parse(topKQuery, request.query, "query");
      const [input] = await this.audioInputs(request, "identify");
      const body = request.body !== undefined && !Buffer.isBuffer(request.body) ? parse(identifyBody, request.body, "request body") : undefined;
      if (this.profiles.size === 0) throw new HttpError(409, "no speakers are enrolled");
      const [item] = (await this.embed([input], true, request)) as Embedded[];
      if (this.profiles.size === 0) throw new HttpError(409, "no speakers are enrolled (deleted while this request waited)");
      const k = body?.top_k ?? query.top_k ?? 1;
      const threshold = options.threshold.value;
      const matches = this.profiles.identify(item.embedding, k).map((m) => ({ ...m, ...calibrated(m.score), accepted: m.score >= threshold }));
      return { matches, threshold };
    });

    app.get("/speakers", async (request) => {
      parse(noQuery, request.query, "query");
      return { speakers: this.db.list().map((s) => ({ speaker: s.speaker, count: s.count, created_at: s.createdAt, updated_at: s.updatedAt })) };
    });

    app.get<{ Params: { id: string } }>("/speakers/:id", async (request) => {
      parse(noQuery, request.query, "query");
      const profile = this.db.get(this.knownSpeaker(request.params.id));
      if (!profile) throw new HttpError(404, `no enrolled speaker "${request.params.id}"`);
      return {
        speaker: profile.speaker,
        count: profile.count,
        dimension: profile.centroid.length,
        centroid_method: options.centroidMethod,
        centroid: Array.from(profile.centroid),
        created_at: profile.createdAt,
        updated_at: profile.updatedAt,
      };
    });

    app.delete<{ Params: { id: string } }>("/speakers/:id", async (request) => {
      parse(noQuery, request.query, "query");
      const speaker = this.knownSpeaker(request.params.id);
      this.db.delete(speaker);
      this.profiles.remove(speaker);
      return { deleted: speaker };
    });
    return app;
  }

  private sendError(err: unknown, reply: FastifyReply): FastifyReply {
    if (err instanceof HttpError) return reply.code(err.statusCode).headers(err.headers).send({ error: err.message });
    // Bad audio and other user-facing library errors: the request was well formed but its audio cannot be used.
    if (err instanceof VoxlabError) return reply.code(422).send({ error: err.message });
    const status = (err as FastifyError | undefined)?.statusCode;
    if (err instanceof Error && status !== undefined && status >= 400 && status < 500) {
      const code = (err as FastifyError).code;
      const message = code === "FST_ERR_CTP_INVALID_JSON_BODY" || err instanceof SyntaxError ? `malformed JSON body: ${err.message}` : err.message;
      const limit = status === 413 ? ` (limit ${(this.options.maxUploadBytes / 2 ** 20).toFixed(1)} MiB for audio, ${JSON_BODY_LIMIT / 2 ** 20} MiB for JSON)` : "";
      return reply.code(status).send({ error: printable(`${message}${limit}`) });
    }
    // Anything else is the server's fault: one line in the log (whatever was thrown), none of it to the client.
    process.stderr.write(`voxlab serve: internal error: ${printable(errorMessage(err))}\n`);
    return reply.code(500).send({ error: "internal error (see the server log)" });
  }

  /**
   * Reserves the memory the request's body may take before any of it is read: its declared length (Node
   * stops reading at it), or the most its content type allows when it is sent chunked. A multipart body
   * must declare its length, since what it may hold is only bounded by the budget.
   */
  private reserveBody(request: FastifyRequest): void {
    const declared = request.headers["content-length"];
    if (declared === undefined && request.headers["transfer-encoding"] === undefined) return;
    const type = (request.headers["content-type"] ?? "").toLowerCase();
    const audio = AUDIO_TYPES.some((t) => type.startsWith(t));
    let bytes: number;
    if (type.startsWith("multipart/")) {
      if (declared === undefined) throw new HttpError(411, "a multipart body must declare its Content-Length");
      bytes = Number(declared);
    } else {
      // Fastify refuses a declared length over the content type's limit before reading, and stops a chunked body at it.
      const cap = audio ? this.options.maxUploadBytes : JSON_BODY_LIMIT;
      bytes = Math.min(declared === undefined ? cap : Number(declared), cap);
    }
    if (bytes > 0) this.bodyReservations.set(request, this.bodies.reserve(bytes));
  }

  /** Gives back the body memory of a request that was answered or abandoned. */
  private releaseBody(request: FastifyRequest): void {
    this.bodyReservations.get(request)?.();
    this.bodyReservations.delete(request);
  }

  private speakerId(id: string): string {
    if (!SPEAKER_ID.test(id)) throw new HttpError(400, `bad speaker id "${id.slice(0, 64)}": use 1-128 letters, digits and . _ : @ - (starting with a letter or digit)`);
    return id;
  }

  private knownSpeaker(id: string): string {
    const speaker = this.speakerId(id);
    if (!this.profiles.has(speaker)) throw new HttpError(404, `no enrolled speaker "${speaker}"`);
    return speaker;
  }

  /**
   * The audio a request names: JSON paths (checked against the audio roots now, read later in the queue), a raw
   * audio body, or multipart file parts. `single` takes one, `batch`/`enroll` up to maxBatch.
   */
  private async audioInputs(request: FastifyRequest, kind: "single" | "identify" | "batch" | "enroll"): Promise<AudioInput[]> {
    const many = kind === "batch" || kind === "enroll";
    const max = many ? this.options.maxBatch : 1;
    if (request.isMultipart()) {
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
    const body = request.body;
    if (Buffer.isBuffer(body)) return [{ name: "upload", bytes: body }];
    if (body === undefined || body === null) throw new HttpError(400, 'send JSON {"audio_path": ...} or the audio itself (multipart or Content-Type: audio/wav)');
    let paths: string[];
    if (kind === "batch") paths = parse(z.object({ audio_paths: z.array(path).min(1).max(max) }).strict(), body, "request body").audio_paths;
    else if (kind === "enroll") {
      const parsed = parse(z.object({ audio_path: path.optional(), audio_paths: z.array(path).min(1).max(max).optional() }).strict(), body, "request body");
      if ((parsed.audio_path === undefined) === (parsed.audio_paths === undefined)) throw new HttpError(400, "request body: give audio_path or audio_paths (one of them)");
      paths = parsed.audio_paths ?? [parsed.audio_path as string];
    } else paths = [parse(kind === "identify" ? identifyBody : oneAudio, body, "request body").audio_path];
    if (kind === "batch") {
      // A batch reports each path's problem in its own result; other requests fail on the first.
      return Promise.all(paths.map(async (p) => this.roots.resolve(p).then((realPath) => ({ name: p, realPath }), (err: unknown) => ({ name: p, error: err }))));
    }
    return Promise.all(paths.map(async (p) => ({ name: p, realPath: await this.roots.resolve(p) })));
  }

  /**
   * Embeds the inputs as one job of the bounded queue. With `strict`, the first failure fails the request;
   * otherwise each input gets its embedding or its own error. A request whose client has gone away (its
   * connection closed while it waited) is dropped before anything is embedded for it.
   */
  private embed(inputs: AudioInput[], strict: boolean, request: FastifyRequest): Promise<ItemResult[]> {
    return this.queue.run(async () => {
      const out: ItemResult[] = [];
      for (const input of inputs) {
        if (request.raw.socket.destroyed) {
          this.dropped++;
          throw new HttpError(499, "the client closed the connection before its audio was embedded");
        }
        try {
          out.push(await this.embedOne(input));
        } catch (err) {
          if (strict) throw err;
          const status = err instanceof HttpError ? err.statusCode : 422;
          out.push({ name: input.name, status, error: errorMessage(err) });
        }
      }
      return out;
    });
  }

  /** The file a path input names, read now (after the queue wait): it may have vanished or changed kind since. */
  private async readInput(input: AudioInput): Promise<Buffer> {
    if (input.bytes) return input.bytes;
    try {
      return await readRegularFile(input.realPath as string, this.options.maxUploadBytes, "audio limit", input.name);
    } catch (err) {
      if (err instanceof FileReadError) throw new HttpError(FILE_PROBLEM_STATUS[err.problem], err.message);
      throw err;
    }
  }

  private async embedOne(input: AudioInput): Promise<Embedded> {
    if (input.error !== undefined) throw input.error;
    try {
      const audio = await decodeAudio(await this.readInput(input), input.name, { maxSeconds: this.options.maxAudioSeconds });
      const rate = this.extractor.model.info.sampleRate;
      const samples = await resampleNamed(audio.samples, audio.sampleRate, rate, input.name);
      const [embedding] = await this.extractor.embedSamples([samples], {}, [input.name]);
      return { name: input.name, embedding, seconds: audio.samples.length / audio.sampleRate };
    } catch (err) {
      // Libraries throw strings and other non-Errors too: whatever it was, it came from this input.
      if (err instanceof VoxlabError) throw err;
      throw new VoxlabError(`${input.name}: ${errorMessage(err)}`);
    }
  }

  private embeddingJson(item: Embedded): { name: string; seconds: number; dimension: number; embedding: number[] } {
    return { name: item.name, seconds: item.seconds, dimension: item.embedding.length, embedding: Array.from(item.embedding) };
  }
}
