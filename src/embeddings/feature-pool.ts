// A pool of worker threads that decode audio files and compute their features, so that this work runs beside
// ONNX inference on the main thread.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { VoxlabError } from "../core/errors.ts";
import { workerSource } from "../core/worker-source.ts";
import type { FeatureMatrix } from "../features/index.ts";
import type { FeatureSpec } from "../models/model-input.ts";

export interface FeatureJob {
  id: number;
  path: string;
  spec: FeatureSpec;
  /** Chunk length in samples, 0 for whole utterances. */
  chunk: number;
}

export type FeatureReply = { id: number; pieces: FeatureMatrix[] } | { id: number; error: string; userError: boolean };

interface Pending {
  resolve: (pieces: FeatureMatrix[]) => void;
  reject: (err: Error) => void;
}

/**
 * Feature workers for `cores` CPU cores: decoding and filterbanks cost a small share of ECAPA's inference
 * (the full-size model's features are ~1/30 of its time), so one worker per 8 cores, 1 to 8.
 */
export function defaultFeatureWorkers(cores = availableParallelism()): number {
  return Math.min(8, Math.max(1, Math.round(cores / 8)));
}

export class FeaturePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(readonly size = defaultFeatureWorkers()) {
    if (!Number.isInteger(size) || size < 1) throw new VoxlabError(`feature workers must be a positive integer, got ${size}`);
    const source = workerSource(new URL("./feature-worker.ts", import.meta.url));
    for (let i = 0; i < size; i++) {
      const worker = new Worker(source, { eval: true });
      worker.on("message", (reply: FeatureReply) => this.finish(reply));
      worker.on("error", (err) => this.crash(err));
      // An idle pool must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /**
   * Decodes `path` to the spec's rate and returns the features of its pieces (see featurePieces). The job is
   * posted at once (round robin) and queued in the worker, so workers keep going while ONNX Runtime holds the
   * main thread; callers bound memory by how many files they submit ahead.
   */
  featurise(path: string, spec: FeatureSpec, chunk: number): Promise<FeatureMatrix[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A worker with jobs keeps the process alive until it answers.
      if (this.pending.size === 1) for (const w of this.workers) w.ref();
      worker.postMessage({ id, path, spec, chunk } satisfies FeatureJob);
    });
  }

  private finish(reply: FeatureReply): void {
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    if (!pending) return;
    if ("pieces" in reply) pending.resolve(reply.pieces);
    else pending.reject(reply.userError ? new VoxlabError(reply.error) : new Error(reply.error));
  }

  /** A worker died (not a bad file, which is an answer): every job fails, and so does every later one. */
  private crash(err: Error): void {
    this.failure = new Error(`feature worker failed: ${err.message}`);
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
