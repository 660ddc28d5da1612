// Filterbank throughput: seconds of audio per second of single-thread compute, decode excluded, for each frontend
// (with its mean normalisation, as the models are fed), on real speech after a warm-up. The features code is
// synchronous and runs on this one thread.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAudio } from "../src/audio/index.ts";
import { computeFeatures, FRONTEND_NAMES, type FrontendName } from "../src/features/index.ts";
import type { BenchResult } from "./types.ts";

const SAMPLE_RATE = 16000;
const SPEECH = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "fixtures", "audio", "libri-10s.wav");
const TARGET_SECONDS = 60;
const WARMUP_RUNS = 3;
const TIMED_RUNS = 40;

/** The metric key of a frontend: `fbank_` for SpeechBrain (the default model's), `kaldi_wespeaker_` etc. otherwise. */
const metricPrefix = (frontend: FrontendName): string => (frontend === "speechbrain" ? "fbank" : frontend.replace("-", "_"));

/** `audio` repeated until it lasts at least `seconds`. */
function repeatTo(audio: Float32Array, seconds: number): Float32Array {
  const copies = Math.ceil((seconds * SAMPLE_RATE) / audio.length);
  const out = new Float32Array(audio.length * copies);
  for (let c = 0; c < copies; c++) out.set(audio, c * audio.length);
  return out;
}

/** Wall-clock seconds of each timed run, after a warm-up. */
function timeRuns(samples: Float32Array, frontend: FrontendName): number[] {
  for (let i = 0; i < WARMUP_RUNS; i++) computeFeatures(samples, frontend, { meanNorm: true });
  const seconds: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = performance.now();
    computeFeatures(samples, frontend, { meanNorm: true });
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds.sort((a, b) => a - b);
}

export async function benchFbank(): Promise<BenchResult> {
  if (!existsSync(SPEECH)) throw new Error(`fbank bench: ${SPEECH} not found (the shared fixtures)`);
  const samples = repeatTo(await loadAudio(SPEECH), TARGET_SECONDS);
  const seconds = samples.length / SAMPLE_RATE;
  const metrics: Record<string, number | string> = {
    fbank_audio: "fixtures/audio/libri-10s.wav repeated",
    fbank_audio_seconds: seconds,
    fbank_timed_runs: TIMED_RUNS,
  };
  const summary: string[] = [];
  for (const frontend of FRONTEND_NAMES) {
    const runs = timeRuns(samples, frontend);
    // The headline is the fastest run: on a shared machine other processes only ever slow a run down. The
    // median is kept beside it to show how noisy the machine was.
    const best = Math.round(seconds / runs[0]);
    const median = Math.round(seconds / runs[Math.floor(runs.length / 2)]);
    const prefix = metricPrefix(frontend);
    metrics[`${prefix}_speedup_vs_realtime`] = best;
    metrics[`${prefix}_speedup_vs_realtime_median`] = median;
    summary.push(`${frontend.padEnd(16)} ${best}x real time (median run ${median}x)`);
  }
  summary.unshift(`fbank + mean norm on ${seconds.toFixed(1)} s of speech, one thread, fastest of ${TIMED_RUNS} runs:`);
  return { metrics, summary };
}
