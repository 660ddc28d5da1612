// Embedding a request's audio as one job of the bounded work queue: each input read (files after the queue
// wait), decoded to the model's rate and embedded; the service's limits and status codes apply to each.
import type { FastifyRequest } from "fastify";
import { decodeAtRate } from "../audio/decode.ts";
import { errorMessage, VoxlabError } from "../core/errors.ts";
import { FileReadError, readRegularFile, type FileProblem } from "../core/regular-file.ts";
import type { EmbeddingExtractor } from "../embeddings/extractor.ts";
import type { AudioInput } from "./audio-inputs.ts";
import { HttpError } from "./http-error.ts";
import type { WorkQueue } from "./queue.ts";

/** The status a file that cannot be read gets: what the client named is missing, forbidden or no audio. */
const FILE_PROBLEM_STATUS: Record<FileProblem, number> = { missing: 404, denied: 403, "not-regular": 422, "too-large": 413, unreadable: 422 };

export interface Embedded {
  name: string;
  embedding: Float32Array;
  seconds: number;
}

export type ItemResult = Embedded | { name: string; status: number; error: string };

/** An embedding as the service answers it. */
export function embeddingJson(item: Embedded): { name: string; seconds: number; dimension: number; embedding: number[] } {
  return { name: item.name, seconds: item.seconds, dimension: item.embedding.length, embedding: Array.from(item.embedding) };
}

export class EmbedJobs {
  private droppedRequests = 0;

  constructor(
    private readonly extractor: EmbeddingExtractor,
    private readonly queue: WorkQueue,
    private readonly limits: { maxUploadBytes: number; maxAudioSeconds: number },
  ) {}

  /** Requests dropped because their client went away while they waited. */
  get dropped(): number {
    return this.droppedRequests;
  }

  /**
   * Embeds the inputs as one job of the bounded queue. With `strict`, the first failure fails the request;
   * otherwise each input gets its embedding or its own error. A request whose client has gone away (its
   * connection closed while it waited) is dropped before anything is embedded for it.
   */
  embed(inputs: AudioInput[], strict: boolean, request: FastifyRequest): Promise<ItemResult[]> {
    return this.queue.run(async () => {
      const out: ItemResult[] = [];
      for (const input of inputs) {
        if (request.raw.socket.destroyed) {
          this.droppedRequests++;
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
      return await readRegularFile(input.realPath as string, this.limits.maxUploadBytes, "audio limit", input.name);
    } catch (err) {
      if (err instanceof FileReadError) throw new HttpError(FILE_PROBLEM_STATUS[err.problem], err.message);
      throw err;
    }
  }

  private async embedOne(input: AudioInput): Promise<Embedded> {
    if (input.error !== undefined) throw input.error;
    try {
      const bytes = await this.readInput(input);
      const audio = await decodeAtRate(bytes, input.name, this.extractor.model.info.sampleRate, { maxSeconds: this.limits.maxAudioSeconds });
      const [embedding] = await this.extractor.embedSamples([audio.samples], {}, [input.name]);
      return { name: input.name, embedding, seconds: audio.seconds };
    } catch (err) {
      // Libraries throw strings and other non-Errors too: whatever it was, it came from this input.
      if (err instanceof VoxlabError) throw err;
      throw new VoxlabError(`${input.name}: ${errorMessage(err)}`);
    }
  }
}
