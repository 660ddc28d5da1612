// The part of sherpa-onnx-node's API (a CommonJS package without types) that the embedding benchmark calls.
import { createRequire } from "node:module";

export interface SherpaStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}

export interface SherpaEmbeddingExtractor {
  readonly dim: number;
  createStream(): SherpaStream;
  compute(stream: SherpaStream): Float32Array;
}

interface SherpaModule {
  SpeakerEmbeddingExtractor: new (config: { model: string; numThreads: number; debug?: number; provider?: string }) => SherpaEmbeddingExtractor;
  version: string;
}

const sherpa = createRequire(import.meta.url)("sherpa-onnx-node") as SherpaModule;

/** sherpa-onnx's SpeakerEmbeddingExtractor on the CPU with `threads` ONNX intra-op threads. */
export function loadSherpaExtractor(model: string, threads: number): SherpaEmbeddingExtractor {
  return new sherpa.SpeakerEmbeddingExtractor({ model, numThreads: threads, debug: 0, provider: "cpu" });
}

export const sherpaVersion = sherpa.version;
