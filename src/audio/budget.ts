// How much audio one file may decode to. A header's claims cost nothing to write (a few KB of FLAC frames
// can declare hours of samples), so every decoder checks its running count against the caller's budget
// before it allocates or decodes the samples that would pass it.
import { VoxlabError } from "../core/errors.ts";

export interface AudioBudget {
  /** Longest audio accepted, in seconds at the file's own rate. */
  maxSeconds: number;
}

/**
 * The CLI's budget when none is given: one hour, the length `test/audio-edge-cases` measures (510 MiB peak
 * at 16 kHz mono). Speaker-verification inputs are utterances of seconds to minutes; longer recordings are
 * split first (see docs/audio-policy.md).
 */
export const DEFAULT_MAX_AUDIO_SECONDS = 3600;
export const DEFAULT_AUDIO_BUDGET: AudioBudget = { maxSeconds: DEFAULT_MAX_AUDIO_SECONDS };

/** The highest sample rate the resampler (libsamplerate) converts from. */
export const MAX_SAMPLE_RATE = 192_000;

/**
 * Decoded values (samples × channels) allowed per second of budget: 48 kHz stereo. It bounds the memory of
 * files whose rate or channel count is high (8-channel 192 kHz FLAC) by what the budget means for common audio.
 */
export const VALUES_PER_SECOND = 96_000;

/** Bytes a file within the budget can need at most (float64 samples) plus room for metadata (cover art). */
export function maxFileBytes(budget: AudioBudget): number {
  return Math.ceil(budget.maxSeconds * VALUES_PER_SECOND) * 8 + 16 * 2 ** 20;
}

/** Refuses a rate the resampler cannot take, before any sample is decoded. */
export function checkSampleRate(name: string, sampleRate: number): void {
  if (sampleRate > MAX_SAMPLE_RATE) {
    throw new VoxlabError(`${name}: sample rate ${sampleRate} Hz is above ${MAX_SAMPLE_RATE} Hz, the highest VoxLab resamples`);
  }
}

/**
 * Refuses `frames` samples per channel when they pass the budget: longer than `maxSeconds`, or more decoded
 * values than `maxSeconds` of 48 kHz stereo. `atLeast` says the count stopped early (the file holds more).
 */
export function checkFrames(name: string, frames: number, channels: number, sampleRate: number, budget: AudioBudget, atLeast = false): void {
  const seconds = frames / sampleRate;
  const length = `${atLeast ? "more than " : ""}${seconds.toFixed(2)} s of audio`;
  if (seconds > budget.maxSeconds) throw new VoxlabError(`${name}: ${length} is over the ${budget.maxSeconds} s limit`);
  if (frames * channels > budget.maxSeconds * VALUES_PER_SECOND) {
    throw new VoxlabError(`${name}: ${length} in ${channels} channels at ${sampleRate} Hz is over the ${budget.maxSeconds} s limit (counted as 48 kHz stereo)`);
  }
}
