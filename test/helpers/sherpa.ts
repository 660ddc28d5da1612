// sherpa-onnx as a reference runtime for tests and `npm run bench`: the part of sherpa-onnx-node's API (a CommonJS
// package without types, a development dependency) that embeds with a model made by sherpaSingleInput.
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

let sherpa: SherpaModule | undefined;
const sherpaModule = (): SherpaModule => (sherpa ??= createRequire(import.meta.url)("sherpa-onnx-node") as SherpaModule);

/** sherpa-onnx's SpeakerEmbeddingExtractor on the CPU with `threads` ONNX intra-op threads. */
export function loadSherpaExtractor(model: string, threads: number): SherpaEmbeddingExtractor {
  return new (sherpaModule().SpeakerEmbeddingExtractor)({ model, numThreads: threads, debug: 0, provider: "cpu" });
}

/** The installed sherpa-onnx-node's version. */
export function sherpaVersion(): string {
  return sherpaModule().version;
}
