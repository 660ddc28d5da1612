// `voxlab serve`: a thin HTTP layer (Fastify) over the library — embeddings, enrollment in SQLite, verification
// and identification — with the safety a network service needs: audio roots, size/length limits, a bearer
// token, validated requests, a bounded work queue and a graceful shutdown. This file assembles the app (limits,
// timeouts, hooks, error answers) and runs its lifecycle; the endpoints are in routes/, the token check in auth.ts.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { errorMessage, printable, VoxlabError } from "../core/errors.ts";
import { EmbeddingExtractor } from "../embeddings/extractor.ts";
import { modelIdentity, modelKey } from "../models/identity.ts";
import type { SpeakerProfiles } from "../enrollment/profiles.ts";
import { RequestAudio } from "./audio-inputs.ts";
import { AudioRoots } from "./audio-roots.ts";
import { bearerCheck, tokenProblem } from "./auth.ts";
import { BodyBudget } from "./body-budget.ts";
import { EmbedJobs } from "./embed-jobs.ts";
import { HttpError } from "./http-error.ts";
import type { ServeOptions } from "./options.ts";
import { WorkQueue } from "./queue.ts";
import { requestSchemas, type RequestSchemas } from "./requests.ts";
import type { ServeContext } from "./routes/context.ts";
import { registerEmbeddingRoutes } from "./routes/embeddings.ts";
import { registerHealthRoute } from "./routes/health.ts";
import { registerIdentifyRoute } from "./routes/identify.ts";
import { registerSpeakerRoutes } from "./routes/speakers.ts";
import { registerVerifyRoute } from "./routes/verify.ts";
import { SpeakerDb } from "./speaker-db.ts";

const AUDIO_TYPES = ["audio/wav", "audio/x-wav", "audio/wave", "audio/flac", "audio/x-flac", "application/octet-stream"];
const JSON_BODY_LIMIT = 1 << 20;
/** Ids are up to 128 characters; URL-encoded, a path parameter may be longer than the id it decodes to. */
const MAX_PARAM_LENGTH = 3 * 128;

/** Fastify and its multipart parser, loaded when a service is created rather than when the library is imported. */
async function loadFastify() {
  const [{ fastify }, { default: multipart }] = await Promise.all([import("fastify"), import("@fastify/multipart")]);
  return { fastify, multipart };
}

type Libraries = Awaited<ReturnType<typeof loadFastify>> & { schemas: RequestSchemas };

export class VoxlabService {
  readonly app: FastifyInstance;
  private readonly profiles: SpeakerProfiles;
  private closing = false;
  private readonly bodies: BodyBudget;
  private readonly bodyReservations = new WeakMap<FastifyRequest, () => void>();

  private constructor(
    readonly options: ServeOptions,
    private readonly extractor: EmbeddingExtractor,
    private readonly db: SpeakerDb,
    roots: AudioRoots,
    readonly queue: WorkQueue,
    libraries: Libraries,
  ) {
    this.profiles = db.profiles(options.threshold.value);
    this.bodies = new BodyBudget(options.bodyMemoryBytes);
    this.app = this.buildApp(libraries, roots);
  }

  /** Loads the model, opens the database and builds the routes (not listening yet). */
  static async create(options: ServeOptions): Promise<VoxlabService> {
    const problem = tokenProblem(options.host, options.token);
    if (problem) throw new VoxlabError(problem);
    const fastify = await loadFastify();
    const schemas = requestSchemas(options.maxBatch);
    const roots = await AudioRoots.create(options.audioRoots);
    const key = modelKey(await modelIdentity(options.modelPath));
    const extractor = await EmbeddingExtractor.load(options.modelPath, { intraOpThreads: options.intraOpThreads });
    let db: SpeakerDb;
    try {
      db = await SpeakerDb.open(options.dbPath, { method: options.centroidMethod, modelKey: key, dimension: extractor.dimension });
    } catch (err) {
      await extractor.close();
      throw err;
    }
    return new VoxlabService(options, extractor, db, roots, new WorkQueue(options.concurrency, options.queueLength), { ...fastify, schemas });
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

  private buildApp({ fastify, multipart, schemas }: Libraries, roots: AudioRoots): FastifyInstance {
    const { options } = this;
    // Node answers 408 itself to a request whose headers and body have not all arrived in time (checked
    // every half second); idle keep-alive connections close after 5 s, so slow clients free their slots.
    const timeout = options.bodyTimeoutMs;
    const app = fastify({
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
    const authorize = options.token === undefined ? undefined : bearerCheck(options.token);

    app.addHook("onRequest", async (request, reply) => {
      authorize?.(request, reply);
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
    void app.register(multipart, { limits: { fileSize: options.maxUploadBytes, files: options.maxBatch, fields: 1, fieldSize: 64 } });
    app.setErrorHandler((err: unknown, _request, reply) => this.sendError(err, reply));
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` }));

    const context: ServeContext = {
      options,
      extractor: this.extractor,
      db: this.db,
      profiles: this.profiles,
      schemas,
      audio: new RequestAudio(roots, options.maxBatch, schemas),
      jobs: new EmbedJobs(this.extractor, this.queue, options),
      queue: this.queue,
      bodies: this.bodies,
      closing: () => this.closing,
    };
    registerHealthRoute(app, context);
    registerEmbeddingRoutes(app, context);
    registerSpeakerRoutes(app, context);
    registerVerifyRoute(app, context);
    registerIdentifyRoute(app, context);
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
}
