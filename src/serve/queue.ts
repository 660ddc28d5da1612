// A bounded work queue: at most `concurrency` jobs run and `capacity` more wait; beyond that new work is
// refused at once (the caller answers 503), so a burst of requests cannot grow memory without bound.
import { HttpError } from "./http-error.ts";

interface Waiting {
  start: () => void;
  reject: (err: Error) => void;
}

export interface QueueStats {
  running: number;
  waiting: number;
  concurrency: number;
  capacity: number;
}

export class WorkQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private closed = false;

  constructor(
    readonly concurrency: number,
    readonly capacity: number,
    /** Seconds a refused client is told to wait (Retry-After). */
    readonly retryAfterSeconds = 1,
  ) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (!(Number.isInteger(capacity) && capacity >= 0)) throw new RangeError(`queue capacity must be a non-negative integer, got ${capacity}`);
  }

  get stats(): QueueStats {
    return { running: this.running, waiting: this.waiting.length, concurrency: this.concurrency, capacity: this.capacity };
  }

  /** Runs `job` when a slot is free; throws a 503 HttpError at once when the queue is full or closed. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.closed) throw new HttpError(503, "the server is shutting down", { "retry-after": String(this.retryAfterSeconds) });
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.capacity) {
        throw new HttpError(503, `busy: ${this.running} jobs running and ${this.waiting.length} waiting (the queue is full); retry later`, {
          "retry-after": String(this.retryAfterSeconds),
        });
      }
      await new Promise<void>((start, reject) => this.waiting.push({ start, reject }));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiting job, or free it.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  /** Refuses new work and rejects the jobs still waiting (503); running jobs finish. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new HttpError(503, "the server is shutting down", { "retry-after": String(this.retryAfterSeconds) }));
  }

  /** Resolves when no job is running. */
  async drained(pollMs = 10): Promise<void> {
    while (this.running > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
}
