// POST /extract-embedding and /batch-extract-embeddings: embeddings of uploaded or named audio.
import type { FastifyInstance } from "fastify";
import { embeddingJson, type Embedded } from "../embed-jobs.ts";
import { parse } from "../requests.ts";
import type { ServeContext } from "./context.ts";

export function registerEmbeddingRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post("/extract-embedding", async (request) => {
    parse(ctx.schemas.noQuery, request.query, "query");
    const [input] = await ctx.audio.inputs(request, "single");
    const [item] = await ctx.jobs.embed([input], true, request);
    return embeddingJson(item as Embedded);
  });

  app.post("/batch-extract-embeddings", async (request) => {
    parse(ctx.schemas.noQuery, request.query, "query");
    const inputs = await ctx.audio.inputs(request, "batch");
    const items = await ctx.jobs.embed(inputs, false, request);
    return {
      dimension: ctx.extractor.dimension,
      results: items.map((item) => ("error" in item ? { name: item.name, status: item.status, error: item.error } : embeddingJson(item))),
    };
  });
}
