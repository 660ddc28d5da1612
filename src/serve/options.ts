// What a service is started with: `voxlab serve`'s flags, checked and converted.
import type { CentroidMethod } from "../enrollment/centroid.ts";
import type { ServeCalibration } from "./calibration.ts";
import type { ServeThreshold } from "./threshold.ts";

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  modelPath: string;
  dbPath: string;
  audioRoots: string[];
  threshold: ServeThreshold;
  /** Adds llr and posterior to verify/identify answers (see serve/calibration.ts). */
  calibration?: ServeCalibration;
  /** Bearer token every request must carry; required unless `host` is loopback. */
  token?: string;
  maxUploadBytes: number;
  maxAudioSeconds: number;
  /** Embedding jobs run at once. */
  concurrency: number;
  /** Embedding jobs that may wait for a slot; more get 503. */
  queueLength: number;
  /** Files in one batch or enrollment request, at most. */
  maxBatch: number;
  centroidMethod: CentroidMethod;
  /** How long a shutdown waits for in-flight work. */
  shutdownTimeoutMs: number;
  /** Bytes all request bodies held at once may take (503 beyond). */
  bodyMemoryBytes: number;
  /** Time a client has to send its whole request (headers and body); 408 after it. */
  bodyTimeoutMs: number;
  /** Connections open at once, at most; more are closed as they arrive. */
  maxConnections: number;
  intraOpThreads?: number;
}
