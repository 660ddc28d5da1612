// What the routes share: the service's options and state, built once by server.ts.
import type { EmbeddingExtractor } from "../../embeddings/extractor.ts";
import type { SpeakerProfiles } from "../../enrollment/profiles.ts";
import type { RequestAudio } from "../audio-inputs.ts";
import type { BodyBudget } from "../body-budget.ts";
import type { EmbedJobs } from "../embed-jobs.ts";
import type { ServeOptions } from "../options.ts";
import type { WorkQueue } from "../queue.ts";
import type { RequestSchemas } from "../requests.ts";
import type { SpeakerDb } from "../speaker-db.ts";

export interface ServeContext {
  readonly options: ServeOptions;
  readonly extractor: EmbeddingExtractor;
  readonly db: SpeakerDb;
  /** The enrolled speakers in memory, kept in step with the database. */
  readonly profiles: SpeakerProfiles;
  readonly schemas: RequestSchemas;
  readonly audio: RequestAudio;
  readonly jobs: EmbedJobs;
  readonly queue: WorkQueue;
  readonly bodies: BodyBudget;
  /** Whether a shutdown has begun. */
  closing(): boolean;
}
