// A worker thread of the FeaturePool: decodes one audio file per message and returns its features (featurePieces),
// the buffers transferred, not copied.
import { parentPort } from "node:worker_threads";
import { loadAudio } from "../audio/decode.ts";
import { VoxlabError, errorMessage } from "../core/errors.ts";
import { featurePieces } from "../models/model-input.ts";
import type { FeatureJob, FeatureReply } from "./feature-pool.ts";

const port = parentPort;
if (!port) throw new Error("feature-worker.ts runs as a worker thread");

port.on("message", (job: FeatureJob) => {
  // Pieces may share one buffer: each buffer is transferred once. Feature buffers are never shared memory.
  void featurise(job).then((reply) => port.postMessage(reply, "pieces" in reply ? [...new Set(reply.pieces.map((p) => p.data.buffer as ArrayBuffer))] : []));
});

async function featurise(job: FeatureJob): Promise<FeatureReply> {
  try {
    const samples = await loadAudio(job.path, job.spec.sampleRate);
    return { id: job.id, pieces: featurePieces(samples, job.spec, job.chunk, job.path) };
  } catch (err) {
    // Whatever a library threw while reading this file (a string, a plain Error) is this file's problem.
    return { id: job.id, error: err instanceof VoxlabError ? err.message : `${job.path}: ${errorMessage(err)}`, userError: true };
  }
}
