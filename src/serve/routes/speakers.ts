// The enrolled speakers: POST /speakers/:id/enroll, GET /speakers, GET and DELETE /speakers/:id.
import type { FastifyInstance } from "fastify";
import type { Embedded } from "../embed-jobs.ts";
import { HttpError } from "../http-error.ts";
import { parse } from "../requests.ts";
import { knownSpeaker, speakerId } from "../speaker-ids.ts";
import type { ServeContext } from "./context.ts";

export function registerSpeakerRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const { db, profiles, schemas } = ctx;

  app.post<{ Params: { id: string } }>("/speakers/:id/enroll", async (request) => {
    parse(schemas.noQuery, request.query, "query");
    const speaker = speakerId(request.params.id);
    const inputs = await ctx.audio.inputs(request, "enroll");
    const items = (await ctx.jobs.embed(inputs, true, request)) as Embedded[];
    // One transaction: all of this request's utterances or none.
    const stored = db.enroll(speaker, items.map((i) => i.embedding), items.map((i) => i.name));
    profiles.enroll(speaker, items.map((i) => i.embedding));
    return { speaker, added: items.length, count: stored.count, dimension: stored.centroid.length };
  });

  app.get("/speakers", async (request) => {
    parse(schemas.noQuery, request.query, "query");
    return { speakers: db.list().map((s) => ({ speaker: s.speaker, count: s.count, created_at: s.createdAt, updated_at: s.updatedAt })) };
  });

  app.get<{ Params: { id: string } }>("/speakers/:id", async (request) => {
    parse(schemas.noQuery, request.query, "query");
    const profile = db.get(knownSpeaker(profiles, request.params.id));
    if (!profile) throw new HttpError(404, `no enrolled speaker "${request.params.id}"`);
    return {
      speaker: profile.speaker,
      count: profile.count,
      dimension: profile.centroid.length,
      centroid_method: ctx.options.centroidMethod,
      centroid: Array.from(profile.centroid),
      created_at: profile.createdAt,
      updated_at: profile.updatedAt,
    };
  });

  app.delete<{ Params: { id: string } }>("/speakers/:id", async (request) => {
    parse(schemas.noQuery, request.query, "query");
    const speaker = knownSpeaker(profiles, request.params.id);
    db.delete(speaker);
    profiles.remove(speaker);
    return { deleted: speaker };
  });
}
