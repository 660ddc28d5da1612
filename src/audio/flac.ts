// FLAC decoding through @wasm-audio-decoders/flac (libFLAC compiled to WASM), checked against the
// file's own STREAMINFO block so that a truncated or corrupt file is an error, not short audio.
//
// Setting up a libFLAC WASM instance takes a few milliseconds, longer than decoding a 1 s clip, and the
// library's one-shot decodeFile() sets one up twice per file (its constructor, and the reset it ends
// with). So each thread keeps one instance and feeds it one file at a time, frame by frame, through the
// library's decodeFrames(), split by the same parser decodeFile() uses (codec-parser, pinned to the
// version the library depends on). A clean decode keeps the instance once it has decoded a known probe
// frame exactly; anything else drops it and decodes the file again on a new one with decodeFile(), so
// results and error messages stay those of the one-shot decoder. The idle instance holds 16 MiB.
//
// Both paths decode the frames codec-parser splits the stream into, and each frame decodes to the block size
// its header declares: so those headers are counted against the caller's budget first, and a stream over it
// (a few KB of constant frames can declare hours) is refused before anything is decoded.
import { FLACDecoder, type FLACDecodedAudio } from "@wasm-audio-decoders/flac";
import CodecParser, { type CodecFrame, type FLACHeader } from "codec-parser";
import { VoxlabError } from "../core/errors.ts";
import { checkFrames, checkSampleRate, DEFAULT_AUDIO_BUDGET, type AudioBudget } from "./budget.ts";
import { mixToMono, type DecodedAudio } from "./channels.ts";

/** The fields of the mandatory first metadata block that the decoder's output is checked against. */
interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Samples per channel; 0 when the encoder did not know it. */
  totalSamples: number;
}

const STREAMINFO_TYPE = 0;
const STREAMINFO_LENGTH = 34;

/** Reads STREAMINFO, which the format requires to be the first metadata block after "fLaC". */
function readFlacStreamInfo(bytes: Uint8Array, name: string): FlacStreamInfo {
  const header = 4; // "fLaC"
  const body = header + 4;
  if (bytes.length < body + STREAMINFO_LENGTH) throw new VoxlabError(`${name}: truncated FLAC header (${bytes.length} bytes)`);
  const type = bytes[header] & 0x7f;
  const length = (bytes[header + 1] << 16) | (bytes[header + 2] << 8) | bytes[header + 3];
  if (type !== STREAMINFO_TYPE || length !== STREAMINFO_LENGTH) {
    throw new VoxlabError(`${name}: corrupt FLAC: the first metadata block is not STREAMINFO`);
  }
  // Bit layout after the block/frame size fields (10 bytes): rate 20 bits, channels-1 3, bits-1 5, total 36.
  const b = (i: number): number => bytes[body + i];
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 0x07) + 1;
  const bitsPerSample = (((b(12) & 0x01) << 4) | (b(13) >> 4)) + 1;
  const totalSamples = (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + ((b(15) << 16) | (b(16) << 8) | b(17));
  if (sampleRate === 0) throw new VoxlabError(`${name}: FLAC header says the sample rate is 0 Hz`);
  checkSampleRate(name, sampleRate);
  return { sampleRate, channels, bitsPerSample, totalSamples };
}

/** The format's smallest block: only a stream's last frame may hold fewer samples. */
const MIN_BLOCK_SIZE = 16;

function* parsedFrames(padded: Uint8Array): Generator<CodecFrame> {
  const parser = new CodecParser<CodecFrame>("audio/flac", { enableFrameCRC32: false });
  const chunk = parser.parseChunk(padded);
  for (let next = chunk.next(); !next.done; next = chunk.next()) yield next.value;
  const rest = parser.flush();
  for (let next = rest.next(); !next.done; next = rest.next()) yield next.value;
}

/**
 * Adds up the block sizes the frame headers declare, frame by frame without keeping them, and refuses the
 * stream as soon as the total passes the budget. Frames under 16 samples (other than the last) are refused
 * too: they would let a file hold one frame object per few bytes.
 */
function checkDeclaredLength(padded: Uint8Array, info: FlacStreamInfo, name: string, budget: AudioBudget): void {
  let samples = 0;
  let frames = 0;
  let short = -1;
  for (const frame of parsedFrames(padded)) {
    if (short >= 0) throw new VoxlabError(`${name}: corrupt FLAC: frame ${short} holds fewer than ${MIN_BLOCK_SIZE} samples and is not the last`);
    const header = frame.header as FLACHeader;
    const rate = header.sampleRate || info.sampleRate;
    checkSampleRate(name, rate);
    samples += frame.samples;
    checkFrames(name, samples, Math.max(info.channels, header.channels), rate, budget, true);
    if (frame.samples < MIN_BLOCK_SIZE) short = frames;
    frames++;
  }
}

/**
 * The decoder scales a b-bit sample k by 1/(2^(b-1)-1); VoxLab's convention is k/2^(b-1) (int16/32768).
 * Recovering k by rounding is exact up to 24 bits, the float32 precision.
 */
function rescaleToPowerOfTwo(plane: Float32Array, bitsPerSample: number): void {
  const full = 2 ** (bitsPerSample - 1);
  for (let i = 0; i < plane.length; i++) plane[i] = Math.round(plane[i] * (full - 1)) / full;
}

/**
 * The decoder's parser drops a stream's last frame unless some bytes follow it (seen on LibriSpeech
 * files that `flac -t` accepts); zero padding is no frame sync, so it only lets that frame through.
 */
const TRAILING_PADDING = 16;

function withTrailingPadding(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array(bytes.length + TRAILING_PADDING);
  padded.set(bytes);
  return padded;
}

/**
 * A FLAC frame of 4096 mono samples of 12345 (one CONSTANT subframe, 16 bits, 16 kHz), numbered by
 * sample (variable-blocksize header) at sample 0; `flac -d` decodes it. An instance that decodes it
 * cleanly, last, has no input left queued. libFLAC reports MISSING_FRAME when a frame starts past the
 * end of the one before: sample 0 never is, and a file's first frame only is when it starts beyond
 * sample 4096 (its first frames lost), which the one-shot path then decodes.
 */
const PROBE_FRAME = Uint8Array.of(0xff, 0xf9, 0xc5, 0x08, 0x00, 0x79, 0x00, 0x30, 0x39, 0xed, 0xc3);
const PROBE_SAMPLES = 4096;
const PROBE_VALUE = Math.fround(12345 / 32767); // the decoder's own scale for 16 bits

/** This thread's instance between files; undefined until first needed, and after one is dropped. */
let idleDecoder: FLACDecoder | undefined;
/** Settles when the decode in progress on this thread's instance has finished. */
let decoderQueue: Promise<unknown> = Promise.resolve();
let instancesSetUp = 0;

/** WASM instances decodeFlac has set up on this thread so far (tests use it to see the reuse). */
export function flacInstancesSetUp(): number {
  return instancesSetUp;
}

/** Runs `task` after every task queued before it: two decodes never interleave on one instance. */
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = decoderQueue.then(task);
  decoderQueue = run.catch(() => undefined);
  return run;
}

async function newDecoder(): Promise<FLACDecoder> {
  const decoder = new FLACDecoder();
  await decoder.ready;
  return decoder;
}

/** Frees an instance that is no longer trusted; its memory goes with it even if libFLAC fails here. */
function drop(decoder: FLACDecoder): void {
  try {
    decoder.free();
  } catch {
    // Nothing to do: the WASM instance is garbage once unreferenced.
  }
}

/**
 * The one-shot decode: a new instance and decodeFile(), which leaves the decoder reset onto another
 * new instance. Returns that decoder for reuse, or frees it when `keep` is false.
 */
async function decodeOnNewInstance(padded: Uint8Array, keep: boolean): Promise<FLACDecodedAudio> {
  const decoder = await newDecoder();
  let decoded: FLACDecodedAudio;
  try {
    decoded = await unreported(() => decoder.decodeFile(padded));
  } catch (err) {
    decoder.free();
    throw err;
  }
  if (keep) idleDecoder = decoder;
  else decoder.free();
  return decoded;
}

/** The stream's frames as decodeFile() splits them, the last one without the padding the parser leaves on it. */
function framesOf(padded: Uint8Array): Uint8Array[] {
  const parser = new CodecParser<CodecFrame>("audio/flac", { enableFrameCRC32: false });
  const frames = parser.parseAll(padded).map((frame) => frame.data);
  const last = frames.at(-1);
  // Left on, the padding would stay queued in libFLAC after the file. Should the frame not end with
  // it after all, the cut frame is a decode error and the file goes to the one-shot path.
  if (last && last.length > TRAILING_PADDING && last.subarray(-TRAILING_PADDING).every((b) => b === 0)) {
    frames[frames.length - 1] = last.subarray(0, last.length - TRAILING_PADDING);
  }
  return frames;
}

/**
 * Runs a decoder call with the library's own multi-line report of libFLAC errors on stderr silenced: the
 * errors it returns become VoxLab's one-line message instead. The library decodes synchronously within the
 * call (before its first await), so no other code runs while console.error is swapped.
 */
function unreported(call: () => Promise<FLACDecodedAudio>): Promise<FLACDecodedAudio> {
  const report = console.error;
  console.error = () => {};
  try {
    return call();
  } finally {
    console.error = report;
  }
}

/** Frames handed to libFLAC per call: the decoded total is checked against the budget between calls. */
const FRAMES_PER_CALL = 64;

/** Joins the per-call outputs of one file, channel by channel. */
function joined(parts: FLACDecodedAudio[]): FLACDecodedAudio {
  const [first] = parts;
  if (parts.length === 1) return first;
  const channelData = first.channelData.map((_, c) => {
    const plane = new Float32Array(parts.reduce((n, p) => n + (p.channelData[c]?.length ?? 0), 0));
    let at = 0;
    for (const part of parts) {
      const piece = part.channelData[c] ?? new Float32Array(0);
      plane.set(piece, at);
      at += piece.length;
    }
    return plane;
  });
  const samplesDecoded = parts.reduce((n, p) => n + p.samplesDecoded, 0);
  return { ...first, channelData, samplesDecoded, errors: parts.flatMap((p) => p.errors) };
}

/**
 * The file decoded on a reused instance, a few frames a call, or undefined when libFLAC reported an error or
 * anything threw. The total decoded is checked against the budget after every call (a frame that decodes to
 * more than its header declared cannot pile up unchecked).
 */
async function decodeCleanly(decoder: FLACDecoder, padded: Uint8Array, info: FlacStreamInfo, name: string, budget: AudioBudget): Promise<FLACDecodedAudio | undefined> {
  const parts: FLACDecodedAudio[] = [];
  try {
    const frames = framesOf(padded);
    let samples = 0;
    // One call at least: a stream without frames decodes to nothing here, as in the one-shot decoder.
    for (let start = 0; start === 0 || start < frames.length; start += FRAMES_PER_CALL) {
      const part = await unreported(() => decoder.decodeFrames(frames.slice(start, start + FRAMES_PER_CALL)));
      if (part.errors.length > 0) return undefined;
      parts.push(part);
      samples += part.samplesDecoded;
      checkFrames(name, samples, part.channelData.length, part.sampleRate || info.sampleRate, budget, true);
    }
  } catch (err) {
    if (err instanceof VoxlabError) throw err; // over the budget: nothing more is decoded
    return undefined; // the one-shot decode reproduces (and reports) whatever went wrong
  }
  return joined(parts);
}

/** Whether the instance decodes the probe frame exactly, with no error: nothing was left queued in it. */
async function decodesProbe(decoder: FLACDecoder): Promise<boolean> {
  try {
    const probe = await unreported(() => decoder.decodeFrames([PROBE_FRAME]));
    const [plane] = probe.channelData;
    return (
      probe.errors.length === 0 &&
      probe.samplesDecoded === PROBE_SAMPLES &&
      probe.channelData.length === 1 &&
      plane.length === PROBE_SAMPLES &&
      plane.every((x) => x === PROBE_VALUE)
    );
  } catch {
    return false;
  }
}

/** The idle instance, or a new one when there is none (first use, or the last one was dropped). */
async function takeThreadDecoder(): Promise<FLACDecoder> {
  const decoder = idleDecoder;
  idleDecoder = undefined;
  if (decoder) return decoder;
  instancesSetUp++;
  return newDecoder();
}

/**
 * Decodes on this thread's instance. After an error libFLAC may have stopped mid-frame or left input
 * queued, and the library frees a stale output pointer for frames that produce no audio, so that
 * instance is dropped and the file decoded by the one-shot path, whose new instance is kept instead.
 */
async function decodeOnThreadInstance(padded: Uint8Array, info: FlacStreamInfo, name: string, budget: AudioBudget): Promise<FLACDecodedAudio> {
  const decoder = await takeThreadDecoder();
  let decoded: FLACDecodedAudio | undefined;
  try {
    decoded = await decodeCleanly(decoder, padded, info, name, budget);
  } catch (err) {
    drop(decoder); // stopped mid-stream: input may be left queued in it
    throw err;
  }
  if (!decoded) {
    drop(decoder);
    instancesSetUp += 2; // the new decoder's, and the one its decodeFile() resets onto
    return decodeOnNewInstance(padded, true);
  }
  if (await decodesProbe(decoder)) idleDecoder = decoder;
  else drop(decoder);
  return decoded;
}

/** The decoder's output checked against STREAMINFO, rescaled and mixed down to mono. */
function checkedAudio(decoded: FLACDecodedAudio, info: FlacStreamInfo, name: string): DecodedAudio {
  const firstError = decoded.errors[0];
  if (firstError) throw new VoxlabError(`${name}: corrupt FLAC: ${firstError.message.replace(/\s+/g, " ")}`);
  if (decoded.samplesDecoded === 0) throw new VoxlabError(`${name}: corrupt FLAC: no audio frames could be decoded`);
  checkSampleRate(name, decoded.sampleRate);
  if (info.totalSamples > 0 && decoded.samplesDecoded !== info.totalSamples) {
    throw new VoxlabError(
      `${name}: truncated or corrupt FLAC: decoded ${decoded.samplesDecoded} of the ${info.totalSamples} samples its header declares`,
    );
  }
  for (const plane of decoded.channelData) rescaleToPowerOfTwo(plane, decoded.bitDepth);
  return { sampleRate: decoded.sampleRate, samples: mixToMono(decoded.channelData), channels: decoded.channelData.length };
}

/** STREAMINFO, and the padded stream once its declared length is within the budget (nothing decoded yet). */
function checkedStream(bytes: Uint8Array, name: string, budget: AudioBudget): { info: FlacStreamInfo; padded: Uint8Array } {
  const info = readFlacStreamInfo(bytes, name);
  if (info.totalSamples > 0) checkFrames(name, info.totalSamples, info.channels, info.sampleRate, budget);
  const padded = withTrailingPadding(bytes);
  checkDeclaredLength(padded, info, name, budget);
  return { info, padded };
}

/** Decodes a native FLAC stream ("fLaC" magic) and mixes it down to mono; audio over `budget` is refused before it is decoded. */
export async function decodeFlac(bytes: Uint8Array, name: string, budget: AudioBudget = DEFAULT_AUDIO_BUDGET): Promise<DecodedAudio> {
  const { info, padded } = checkedStream(bytes, name, budget);
  const decoded = await oneAtATime(() => decodeOnThreadInstance(padded, info, name, budget));
  return checkedAudio(decoded, info, name);
}

/** decodeFlac on a new instance of its own, as every file was decoded before the reuse: the reference for it. */
export async function decodeFlacOnNewInstance(bytes: Uint8Array, name: string, budget: AudioBudget = DEFAULT_AUDIO_BUDGET): Promise<DecodedAudio> {
  const { info, padded } = checkedStream(bytes, name, budget);
  return checkedAudio(await decodeOnNewInstance(padded, false), info, name);
}
