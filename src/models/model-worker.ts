// A worker thread of ModelWorkers: loads the model in its own single-thread ONNX Runtime session, then embeds one
// batch of features per message and returns the rows, their buffers transferred, not copied.
import { parentPort, workerData } from "node:worker_threads";
import { VoxlabError, errorMessage } from "../core/errors.ts";
import { EmbeddingModel } from "./embedding-model.ts";
import type { ModelJob, ModelReply, ModelWorkerData } from "./model-workers.ts";

const port = parentPort;
if (!port) throw new Error("model-worker.ts runs as a worker thread");
const { path } = workerData as ModelWorkerData;

const loading = EmbeddingModel.load(path, { intraOpThreads: 1 });
void loading.then(
  () => port.postMessage({ ready: true } satisfies ModelReply),
  (err: unknown) => port.postMessage({ loadError: errorMessage(err) } satisfies ModelReply),
);

port.on("message", (job: ModelJob) => {
  void embed(job).then((reply) => port.postMessage(reply, "rows" in reply ? reply.rows.map((r) => r.buffer as ArrayBuffer) : []));
});

async function embed(job: ModelJob): Promise<ModelReply> {
  try {
    return { id: job.id, rows: await (await loading).embedFeatures(job.batch) };
  } catch (err) {
    return { id: job.id, error: errorMessage(err), userError: err instanceof VoxlabError };
  }
}
