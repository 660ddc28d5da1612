// The audio stage: any WAV/FLAC file in, mono Float32 at the model's rate (16 kHz) out.
import { readFile } from "node:fs/promises";
import { VoxlabError } from "../errors.ts";
import type { DecodedAudio } from "./channels.ts";
import { decodeFlac } from "./flac.ts";
import { resample } from "./resample.ts";
import { decodeWav } from "./wav.ts";

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

/**
 * Decodes a WAV or FLAC file held in memory, told apart by their magic bytes (not the file name), and
 * mixes it down to mono at the file's own rate. `name` (usually the path) starts every error message.
 */
export async function decodeAudio(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new VoxlabError(`${name}: empty file`);
  if (startsWith(bytes, "RIFF")) {
    if (bytes.length < 12) throw new VoxlabError(`${name}: truncated WAV header (${bytes.length} bytes)`);
    if (!startsWith(bytes, "WAVE", 8)) throw new VoxlabError(`${name}: a RIFF file but not WAVE audio`);
    return decodeWav(bytes, name);
  }
  if (startsWith(bytes, "fLaC")) return decodeFlac(bytes, name);
  for (const [magic, problem] of UNSUPPORTED_MAGIC) {
    if (startsWith(bytes, magic)) throw new VoxlabError(`${name}: ${problem}; VoxLab reads WAV and FLAC`);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new VoxlabError(`${name}: not a WAV or FLAC file (it starts with bytes ${head})`);
}

async function readAudioFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new VoxlabError(`${path}: file not found`);
    if (code === "EISDIR") throw new VoxlabError(`${path}: is a directory, not an audio file`);
    if (code === "EACCES") throw new VoxlabError(`${path}: permission denied`);
    throw new VoxlabError(`${path}: cannot read file (${code ?? String(err)})`);
  }
}

/** Reads an audio file, decodes it, mixes it down to mono and resamples it to `targetRate` Hz. */
export async function loadAudio(path: string, targetRate = 16000): Promise<Float32Array> {
  const audio = await decodeAudio(await readAudioFile(path), path);
  try {
    return await resample(audio.samples, audio.sampleRate, targetRate);
  } catch (err) {
    if (err instanceof VoxlabError) throw new VoxlabError(`${path}: ${err.message}`);
    throw err;
  }
}
