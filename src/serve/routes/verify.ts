// POST /speakers/:id/verify: whether the audio is the enrolled speaker's (score, decision, calibrated fields).
import type { FastifyInstance } from "fastify";
import { calibratedFields } from "../calibration.ts";
import type { Embedded } from "../embed-jobs.ts";
import { HttpError } from "../http-error.ts";
import { parse } from "../requests.ts";
import { knownSpeaker } from "../speaker-ids.ts";
import type { ServeContext } from "./context.ts";

export function registerVerifyRoute(app: FastifyInstance, ctx: ServeContext): void {
  const { profiles } = ctx;
  app.post<{ Params: { id: string } }>("/speakers/:id/verify", async (request) => {
    parse(ctx.schemas.noQuery, request.query, "query");
    const speaker = knownSpeaker(profiles, request.params.id);
    const [input] = await ctx.audio.inputs(request, "single");
    const [item] = (await ctx.jobs.embed([input], true, request)) as Embedded[];
    // Deleted while this request waited: as if it had not been enrolled.
    if (!profiles.has(speaker)) throw new HttpError(404, `no enrolled speaker "${speaker}" (deleted while this request waited)`);
    const result = profiles.verify(speaker, item.embedding);
    return { speaker, score: result.score, ...calibratedFields(ctx.options.calibration, result.score), accepted: result.accepted, threshold: result.threshold };
  });
}
