// Single-thread ONNX Runtime sessions of one model in worker threads, each embedding whole batches side by side.
// On few cores this beats one session with as many intra-op threads: ECAPA's many small operators (Res2Net
// splits, SE blocks) leave intra-op threads waiting on each other, while separate utterances never do. A batch's
// rows depend only on the batch, not on the session or its thread count, so the embeddings are the same bit for bit.
import { Worker } from "node:worker_threads";
import { VoxlabError } from "../core/errors.ts";
import { workerSource } from "../core/worker-source.ts";
import type { EmbedInput } from "./embedding-model.ts";

export interface ModelWorkerData {
  path: string;
}

export interface ModelJob {
  id: number;
  batch: EmbedInput[];
}

export type ModelReply =
  | { ready: true }
  | { loadError: string }
  | { id: number; rows: Float32Array[] }
  | { id: number; error: string; userError: boolean };

interface Job extends ModelJob {
  resolve: (rows: Float32Array[]) => void;
  reject: (err: Error) => void;
}

export class ModelWorkers {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private nextId = 0;
  private failure: Error | null = null;

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.on("message", (reply: ModelReply) => this.finish(worker, reply));
      worker.on("error", (err) => this.crash(err));
      // An idle pool must not keep the process alive.
      worker.unref();
      this.idle.push(worker);
    }
  }

  /** `count` workers with `path` loaded (it loaded on the calling thread already, so failing here is unexpected). */
  static async start(path: string, count: number): Promise<ModelWorkers> {
    if (!Number.isInteger(count) || count < 1) throw new VoxlabError(`model workers must be a positive integer, got ${count}`);
    const source = workerSource(new URL("./model-worker.ts", import.meta.url));
    const workers = Array.from({ length: count }, () => new Worker(source, { eval: true, workerData: { path } satisfies ModelWorkerData }));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((ready, fail) => {
              worker.once("error", fail);
              worker.once("message", (reply: ModelReply) => {
                worker.off("error", fail);
                if ("loadError" in reply) fail(new VoxlabError(`${path}: a model worker cannot load the model (${reply.loadError})`));
                else ready();
              });
            }),
        ),
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new ModelWorkers(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Embeds a batch in the next free worker (see EmbeddingModel.embedFeatures); batches wait their turn in order. */
  embedFeatures(batch: EmbedInput[]): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, batch, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(worker, job);
      // A worker with a job keeps the process alive until it answers.
      worker.ref();
      worker.postMessage({ id: job.id, batch: job.batch } satisfies ModelJob);
    }
  }

  private finish(worker: Worker, reply: ModelReply): void {
    const job = this.running.get(worker);
    if (!job || !("id" in reply)) return;
    this.running.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if ("rows" in reply) job.resolve(reply.rows);
    else job.reject(reply.userError ? new VoxlabError(reply.error) : new Error(reply.error));
    this.dispatch();
  }

  /** A worker died: every job fails, and so does every later one. */
  private crash(err: Error): void {
    this.failure = new Error(`model worker failed: ${err.message}`);
    for (const job of [...this.running.values(), ...this.queue]) job.reject(this.failure);
    this.running.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
