// Filterbank throughput: seconds of audio per second of single-thread compute, decode excluded, for each frontend
// (with its mean normalisation, as the models are fed), on real speech after a warm-up. The features code is
// synchronous and runs on this one thread.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { computeFeatures, FRONTEND_NAMES, loadAudio, resample, type FrontendName } from "../src/index.ts";
import type { BenchResult } from "./types.ts";

const SAMPLE_RATE = 16000;
const SPEECH = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "fixtures", "audio", "libri-10s.wav");
const TARGET_SECONDS = 60;
/** The speech is timed as consecutive utterances of this length, each ROUNDS times. */
const UTTERANCE_SECONDS = 2;
const ROUNDS = 10;
const WARMUP_RUNS = 3;
/** Resampling to 16 kHz is timed from these rates, on RESAMPLE_SECONDS of the speech as 2 s utterances. */
const RESAMPLE_RATES = [8000, 44100, 48000];
const RESAMPLE_SECONDS = 20;
const RESAMPLE_ROUNDS = 3;

/** The metric key of a frontend: `fbank_` for SpeechBrain (the default model's), `kaldi_wespeaker_` etc. otherwise. */
const metricPrefix = (frontend: FrontendName): string => (frontend === "speechbrain" ? "fbank" : frontend.replace("-", "_"));

/** `audio` repeated until it lasts at least `seconds`. */
function repeatTo(audio: Float32Array, seconds: number): Float32Array {
  const copies = Math.ceil((seconds * SAMPLE_RATE) / audio.length);
  const out = new Float32Array(audio.length * copies);
  for (let c = 0; c < copies; c++) out.set(audio, c * audio.length);
  return out;
}

/**
 * Seconds of compute for all of `samples`: the sum over its 2 s utterances of each one's fastest of ROUNDS runs.
 * Other processes on a shared machine only ever add time, and a short run is often spared, so this measures the
 * code rather than the machine's load; a single whole-length call is also timed, for comparison.
 */
function timeFrontend(samples: Float32Array, frontend: FrontendName): { perUtterance: number; wholeCall: number } {
  const step = UTTERANCE_SECONDS * SAMPLE_RATE;
  const utterances: Float32Array[] = [];
  for (let start = 0; start < samples.length; start += step) utterances.push(samples.subarray(start, start + step));
  for (let i = 0; i < WARMUP_RUNS; i++) computeFeatures(samples, frontend, { meanNorm: true });
  const fastest = utterances.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    utterances.forEach((utterance, i) => {
      const start = performance.now();
      computeFeatures(utterance, frontend, { meanNorm: true });
      fastest[i] = Math.min(fastest[i], (performance.now() - start) / 1000);
    });
  }
  const start = performance.now();
  computeFeatures(samples, frontend, { meanNorm: true });
  const wholeCall = (performance.now() - start) / 1000;
  return { perUtterance: fastest.reduce((a, b) => a + b, 0), wholeCall };
}

/** Seconds of `rate` Hz audio resampled to 16 kHz per second of compute (2 s utterances, each its fastest of RESAMPLE_ROUNDS). */
async function resampleSpeedup(speech: Float32Array, rate: number): Promise<number> {
  const audio = await resample(speech, SAMPLE_RATE, rate);
  const step = UTTERANCE_SECONDS * rate;
  let total = 0;
  for (let start = 0; start < audio.length; start += step) {
    const utterance = audio.subarray(start, start + step);
    let fastest = Infinity;
    for (let round = 0; round < RESAMPLE_ROUNDS; round++) {
      const t0 = performance.now();
      await resample(utterance, rate, SAMPLE_RATE);
      fastest = Math.min(fastest, (performance.now() - t0) / 1000);
    }
    total += fastest;
  }
  return speech.length / SAMPLE_RATE / total;
}

export async function benchFbank(): Promise<BenchResult> {
  if (!existsSync(SPEECH)) throw new Error(`fbank bench: ${SPEECH} not found (the shared fixtures)`);
  const samples = repeatTo(await loadAudio(SPEECH), TARGET_SECONDS);
  const seconds = samples.length / SAMPLE_RATE;
  const metrics: Record<string, number | string> = {
    fbank_audio: `fixtures/audio/libri-10s.wav repeated, timed as ${UTTERANCE_SECONDS} s utterances, fastest of ${ROUNDS} runs each`,
    fbank_audio_seconds: seconds,
  };
  const summary: string[] = [];
  for (const frontend of FRONTEND_NAMES) {
    const { perUtterance, wholeCall } = timeFrontend(samples, frontend);
    const speedup = Math.round(seconds / perUtterance);
    const wholeSpeedup = Math.round(seconds / wholeCall);
    const prefix = metricPrefix(frontend);
    metrics[`${prefix}_speedup_vs_realtime`] = speedup;
    metrics[`${prefix}_speedup_vs_realtime_one_call`] = wholeSpeedup;
    summary.push(`${frontend.padEnd(16)} ${speedup}x real time (${wholeSpeedup}x as one ${seconds.toFixed(0)} s call)`);
  }
  for (const rate of RESAMPLE_RATES) {
    const speedup = Math.round(await resampleSpeedup(samples.subarray(0, RESAMPLE_SECONDS * SAMPLE_RATE), rate));
    metrics[`resample_${rate}_speedup_vs_realtime`] = speedup;
    summary.push(`resample ${rate} Hz -> 16 kHz (libsamplerate best quality) ${speedup}x real time`);
  }
  summary.unshift(
    `fbank + mean norm, ${seconds.toFixed(1)} s of speech as ${UTTERANCE_SECONDS} s utterances, one thread, fastest of ${ROUNDS} runs each:`,
  );
  return { metrics, summary };
}
