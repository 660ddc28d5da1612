// Sample-rate conversion with libsamplerate (compiled to WASM): a band-limited windowed-sinc
// resampler. SRC_SINC_BEST_QUALITY keeps the passband flat to ~0.95 of the new Nyquist (-0.3 dB at
// 7.6 kHz when going to 16 kHz) and rejects what lies above it by ~145 dB; SRC_SINC_MEDIUM_QUALITY is
// 2-3x faster but already -20 dB at 7.6 kHz, which would dim the top mel bands of a 16 kHz frontend.
import type libsamplerate from "@alexanderolsen/libsamplerate-js";
import { VoxlabError } from "../core/errors.ts";

/** libsamplerate's limits on the conversion ratio. */
const MAX_RATIO = 256;

/**
 * The library copies through fixed WASM buffers of this many floats and, for larger inputs, falls back to
 * a chunking path of its own; feeding it chunks that fit keeps us on the plain streaming path.
 */
const WASM_BUFFER_FLOATS = 1_008_000;
const MAX_CHUNK = 65_536;
/**
 * Trailing zeros fed per flush step. The best-quality filter reaches ~150 input samples each side (~420 when
 * downsampling 44.1 kHz to 16 kHz), so one step almost always suffices; a whole MAX_CHUNK of zeros cost more
 * than converting a short clip.
 */
const FLUSH_BLOCK = 4096;

type Converter = Awaited<ReturnType<typeof libsamplerate.create>>;

/**
 * This thread's converters by "from->to" rate pair. Setting one up builds a new copy of the library's
 * compiled module (~0.3 s, 26 MB); resetting one (re-assigning its input rate re-initialises libsamplerate's
 * state on the same module) takes under a millisecond and gives the output of a fresh one.
 */
const converters = new Map<string, Promise<Converter>>();
/** Rate pairs kept at once: corpora come in a few rates. */
const MAX_CONVERTERS = 4;

/** This thread's converter for the rate pair, in whatever state its last use left it. */
function sharedConverter(fromRate: number, toRate: number): Promise<Converter> {
  const key = `${fromRate}->${toRate}`;
  let converter = converters.get(key);
  if (!converter) {
    if (converters.size >= MAX_CONVERTERS) {
      const [oldestKey, oldest] = converters.entries().next().value as [string, Promise<Converter>];
      converters.delete(oldestKey);
      void oldest.then((c) => c.destroy());
    }
    // Loaded on first use: importing the library costs ~0.2 s, which 16 kHz corpora never need to pay.
    converter = import("@alexanderolsen/libsamplerate-js").then((mod) => {
      // A CommonJS module: Node puts its exports under `default`, tsx's loader (tests) at the top level.
      const { create, ConverterType } = mod.default ?? (mod as unknown as typeof mod.default);
      return create(1, fromRate, toRate, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
    });
    converters.set(key, converter);
    // A failed set-up is not kept.
    converter.catch(() => converters.delete(key));
  }
  return converter;
}

function checkRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate <= 0) throw new VoxlabError(`cannot resample: ${what} sample rate ${rate} is not a positive integer`);
}

/**
 * Resamples mono audio from `fromRate` to `toRate` Hz. The output has round(n·toRate/fromRate) samples,
 * aligned with the input (sample 0 is at time 0). Equal rates return `samples` itself.
 */
export async function resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  checkRate(fromRate, "input");
  checkRate(toRate, "output");
  if (fromRate === toRate) return samples;
  const ratio = toRate / fromRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw new VoxlabError(`cannot resample from ${fromRate} Hz to ${toRate} Hz: the ratio is outside 1/${MAX_RATIO}..${MAX_RATIO}`);
  }
  const output = new Float32Array(Math.round(samples.length * ratio));
  if (output.length === 0) return output;

  const chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor((WASM_BUFFER_FLOATS - 1) / Math.max(1, ratio))));
  const converter = await sharedConverter(fromRate, toRate);
  // Reset to a fresh stream. From here to the last sample there is no await, so concurrent calls never
  // share the converter mid-stream.
  converter.inputSampleRate = fromRate;
  let written = 0;
  const append = (block: Float32Array): void => {
    const out = converter.full(block);
    const take = Math.min(out.length, output.length - written);
    output.set(out.subarray(0, take), written);
    written += take;
  };
  for (let start = 0; start < samples.length && written < output.length; start += chunk) {
    append(samples.subarray(start, start + chunk));
  }
  // The sinc filter holds back output until it has seen the input after it; trailing zeros flush it.
  const silence = new Float32Array(Math.min(chunk, FLUSH_BLOCK));
  for (let flushes = 0; written < output.length; flushes++) {
    if (flushes > 1000) throw new Error("libsamplerate produced no output while flushing");
    append(silence);
  }
  return output;
}
