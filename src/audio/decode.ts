// The audio stage: any WAV/FLAC file in, mono Float32 at the model's rate (16 kHz) out.
import { errorMessage, VoxlabError } from "../core/errors.ts";
import { readRegularFile } from "../core/regular-file.ts";
import { DEFAULT_AUDIO_BUDGET, maxFileBytes, type AudioBudget } from "./budget.ts";
import type { DecodedAudio } from "./channels.ts";
import { resample } from "./resample.ts";
import { decodeWav } from "./wav.ts";

export { DEFAULT_AUDIO_BUDGET, DEFAULT_MAX_AUDIO_SECONDS, type AudioBudget } from "./budget.ts";
export type { DecodedAudio } from "./channels.ts";
export { resample } from "./resample.ts";

/** Formats recognised by their first bytes but not read, so the error can say what the file is. */
const UNSUPPORTED_MAGIC: readonly [string, string][] = [
  ["RF64", "RF64 (64-bit WAV) files are not supported"],
  ["RIFX", "big-endian RIFX WAV files are not supported"],
  ["OggS", "Ogg files are not supported"],
  ["ID3", "MP3 files are not supported"],
  ["FORM", "AIFF files are not supported"],
];

function startsWith(bytes: Uint8Array, magic: string, at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** The decoder the magic bytes call for, or a one-line refusal of what the file is. */
async function decodeByMagic(bytes: Uint8Array, name: string, budget: AudioBudget): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new VoxlabError(`${name}: empty file`);
  if (startsWith(bytes, "RIFF")) {
    if (bytes.length < 12) throw new VoxlabError(`${name}: truncated WAV header (${bytes.length} bytes)`);
    if (!startsWith(bytes, "WAVE", 8)) throw new VoxlabError(`${name}: a RIFF file but not WAVE audio`);
    return decodeWav(bytes, name, budget);
  }
  // libFLAC and the frame parser load on the first FLAC file: a WAV-only run (and every CLI start) skips them.
  if (startsWith(bytes, "fLaC")) return (await import("./flac.ts")).decodeFlac(bytes, name, budget);
  for (const [magic, problem] of UNSUPPORTED_MAGIC) {
    if (startsWith(bytes, magic)) throw new VoxlabError(`${name}: ${problem}; VoxLab reads WAV and FLAC`);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new VoxlabError(`${name}: not a WAV or FLAC file (it starts with bytes ${head})`);
}

/**
 * Decodes a WAV or FLAC file held in memory, told apart by their magic bytes (not the file name), and
 * mixes it down to mono at the file's own rate. `name` (usually the path) starts every error message,
 * including whatever a decoding library throws (strings and WASM traps too). Audio longer than `budget`
 * is refused while decoding, before its samples exist.
 */
export async function decodeAudio(bytes: Uint8Array, name: string, budget: AudioBudget = DEFAULT_AUDIO_BUDGET): Promise<DecodedAudio> {
  try {
    return await decodeByMagic(bytes, name, budget);
  } catch (err) {
    if (err instanceof VoxlabError) throw err;
    throw new VoxlabError(`${name}: cannot decode (${errorMessage(err)})`);
  }
}

/** `samples` at `fromRate` resampled to `toRate`; any failure (libsamplerate throws strings) is one line naming `name`. */
async function resampleNamed(samples: Float32Array, fromRate: number, toRate: number, name: string): Promise<Float32Array> {
  try {
    return await resample(samples, fromRate, toRate);
  } catch (err) {
    if (err instanceof VoxlabError) throw new VoxlabError(`${name}: ${err.message}`);
    throw new VoxlabError(`${name}: cannot resample from ${fromRate} Hz to ${toRate} Hz (${errorMessage(err)})`);
  }
}

/**
 * Decodes a WAV or FLAC file held in memory within `budget` (see decodeAudio), mono at `targetRate` Hz, with
 * its length in seconds at the file's own rate. The CLI (loadAudio) and the service both decode through it.
 */
export async function decodeAtRate(bytes: Uint8Array, name: string, targetRate: number, budget: AudioBudget = DEFAULT_AUDIO_BUDGET): Promise<{ samples: Float32Array; seconds: number }> {
  const audio = await decodeAudio(bytes, name, budget);
  return { samples: await resampleNamed(audio.samples, audio.sampleRate, targetRate, name), seconds: audio.samples.length / audio.sampleRate };
}

/**
 * Reads an audio file (a regular file only: devices, FIFOs and directories are refused without blocking),
 * decodes it within `budget`, mixes it down to mono and resamples it to `targetRate` Hz.
 */
export async function loadAudio(path: string, targetRate = 16000, budget: AudioBudget = DEFAULT_AUDIO_BUDGET): Promise<Float32Array> {
  const bytes = await readRegularFile(path, maxFileBytes(budget), `size a ${budget.maxSeconds} s file can have`);
  return (await decodeAtRate(bytes, path, targetRate, budget)).samples;
}
