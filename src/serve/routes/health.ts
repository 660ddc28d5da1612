// GET /health: whether the service takes work, and what it runs with (model, threshold, calibration, load).
import { basename } from "node:path";
import type { FastifyInstance } from "fastify";
import { parse } from "../requests.ts";
import type { ServeContext } from "./context.ts";

export function registerHealthRoute(app: FastifyInstance, ctx: ServeContext): void {
  const { options } = ctx;
  const calibration = options.calibration;
  app.get("/health", async (request) => {
    parse(ctx.schemas.noQuery, request.query, "query");
    const info = ctx.extractor.model.info;
    return {
      status: ctx.closing() ? "shutting down" : "ok",
      ready: !ctx.closing(),
      model: { name: basename(options.modelPath), source: info.source, dimension: info.embeddingDim, sample_rate: info.sampleRate },
      threshold: { value: options.threshold.value, source: options.threshold.source },
      ...(calibration ? { calibration: { source: calibration.source, scale: calibration.calibration.scale, offset: calibration.calibration.offset, prior: calibration.prior, decide_at_prior: calibration.decideAtPrior } } : {}),
      speakers: ctx.profiles.size,
      queue: { ...ctx.queue.stats, dropped: ctx.jobs.dropped },
      body_memory: { in_use: ctx.bodies.inUse, budget: ctx.bodies.totalBytes },
    };
  });
}
