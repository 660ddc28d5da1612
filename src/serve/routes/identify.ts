// POST /identify: the enrolled speakers closest to the audio, best first, each with its decision.
import type { FastifyInstance } from "fastify";
import { calibratedFields } from "../calibration.ts";
import type { Embedded } from "../embed-jobs.ts";
import { HttpError } from "../http-error.ts";
import { parse } from "../requests.ts";
import type { ServeContext } from "./context.ts";

export function registerIdentifyRoute(app: FastifyInstance, ctx: ServeContext): void {
  const { options, profiles, schemas } = ctx;
  app.post("/identify", async (request) => {
    const query = parse(schemas.topKQuery, request.query, "query");
    const [input] = await ctx.audio.inputs(request, "identify");
    const body = request.body !== undefined && !Buffer.isBuffer(request.body) ? parse(schemas.identifyBody, request.body, "request body") : undefined;
    if (profiles.size === 0) throw new HttpError(409, "no speakers are enrolled");
    const [item] = (await ctx.jobs.embed([input], true, request)) as Embedded[];
    if (profiles.size === 0) throw new HttpError(409, "no speakers are enrolled (deleted while this request waited)");
    const k = body?.top_k ?? query.top_k ?? 1;
    const threshold = options.threshold.value;
    const matches = profiles.identify(item.embedding, k).map((m) => ({ ...m, ...calibratedFields(options.calibration, m.score), accepted: m.score >= threshold }));
    return { matches, threshold };
  });
}
