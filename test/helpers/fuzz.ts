// A small seeded mutation fuzzer: real seed files in, mutated bytes out, and a runner that checks the
// property every VoxLab reader must keep: return a well-formed value, or throw a VoxlabError with a
// one-line message, quickly and without a huge allocation. Case i of a run is a pure function of
// (run seed, i), so a failure is reproduced from the two numbers alone.
import type { DecodedAudio } from "../../src/audio/decode.ts";
import { mulberry32, randomInt, type Random } from "../../src/core/random.ts";
import { VoxlabError } from "../../src/core/errors.ts";

/** A length or size field inside a seed, edited to boundary values ("chunk-size field edits"). */
export interface SizeField {
  offset: number;
  /** Bytes: 2, 3 or 4. */
  width: 2 | 3 | 4;
  bigEndian?: boolean;
}

export interface FuzzSeed {
  bytes: Uint8Array;
  /** Header ranges [start, end) where most point mutations land (the parsing code lives there). */
  hot?: Array<[number, number]>;
  sizeFields?: SizeField[];
  /** Turns the mutated bytes into the input (e.g. re-zips a mutated data.pkl with its storages). */
  wrap?: (mutated: Uint8Array) => Uint8Array;
}

export interface FuzzTarget<T> {
  name: string;
  seeds: FuzzSeed[];
  /** Also insert and replace text tokens (delimiters, numbers, YAML syntax). */
  text?: boolean;
  run: (input: Uint8Array) => T | Promise<T>;
  /** Why a returned value is malformed, or undefined when it is well-formed. */
  check: (result: T) => string | undefined;
}

export interface FuzzFailure {
  caseIndex: number;
  problem: string;
  input: Uint8Array;
}

export interface FuzzReport {
  target: string;
  cases: number;
  /** Cases that returned a well-formed value. */
  accepted: number;
  /** Distinct error messages, numbers and quoted text folded ("line 12" and "line 7" count once). */
  distinctErrors: number;
  failures: FuzzFailure[];
  slowestMs: number;
  /** Largest growth over the run's start, in MiB, of the process's ArrayBuffer bytes (allocated, touched or not). */
  peakArrayBufferGrowthMiB: number;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** A case slower than this fails (default 1000 ms). */
  caseLimitMs?: number;
  /** ArrayBuffer growth over the start that fails the case (default 512 MiB). */
  memoryLimitMiB?: number;
  /** Cases in flight at once, for async targets whose time is mostly waiting (default 1). */
  concurrency?: number;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_WORDS = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const TEXT_TOKENS = [
  "\n", "\r\n", "\r", ",", '"', "'", " ", "\t", "\0", "\uFEFF", "0", "1", "-1", "2", "-0", "NaN", "nan", "Infinity", "-inf",
  "1e309", "1e-320", "0x10", "target", "nontarget", "#", ":", "- ", "[", "]", "{", "}", "!ref <", "<", ">", "!new:", "&a ",
  "*a", "---", "...", "|", "%YAML 1.2\n", "9".repeat(400), "a".repeat(300), "é", "\u2028",
];
const MiB = 1024 * 1024;

/** Seeds case `caseIndex` of a run so that every case can be regenerated on its own. */
function caseRandom(runSeed: number, caseIndex: number): Random {
  return mulberry32(Math.imul(runSeed ^ 0x5bd1e995, 0x9e3779b1) + caseIndex);
}

function pickOffset(random: Random, seed: FuzzSeed, length: number): number {
  const hot = seed.hot?.filter(([start, end]) => start < Math.min(end, length));
  if (hot && hot.length > 0 && random() < 0.75) {
    const [start, end] = hot[randomInt(random, hot.length)];
    return start + randomInt(random, Math.min(end, length) - start);
  }
  return randomInt(random, length);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function writeWord(bytes: Uint8Array, offset: number, width: number, value: number, bigEndian: boolean): void {
  for (let i = 0; i < width && offset + i < bytes.length; i++) {
    const shift = 8 * (bigEndian ? width - 1 - i : i);
    bytes[offset + i] = Math.floor(value / 2 ** shift) & 0xff;
  }
}

function readWord(bytes: Uint8Array, offset: number, width: number, bigEndian: boolean): number {
  let value = 0;
  for (let i = 0; i < width && offset + i < bytes.length; i++) value += bytes[offset + i] * 2 ** (8 * (bigEndian ? width - 1 - i : i));
  return value;
}

/** One mutation of `input` (a fresh array; the seed is never modified). */
function mutateOnce(input: Uint8Array, random: Random, seed: FuzzSeed, others: FuzzSeed[], text: boolean): Uint8Array {
  const n = input.length;
  const kind = randomInt(random, text ? 10 : 8);
  if (n === 0) return Uint8Array.of(INTERESTING_BYTES[randomInt(random, INTERESTING_BYTES.length)]);
  const at = pickOffset(random, seed, n);
  switch (kind) {
    case 0: {
      // Flip one to four bits.
      const out = input.slice();
      for (let k = 1 + randomInt(random, 4); k > 0; k--) {
        const p = pickOffset(random, seed, n);
        out[p] ^= 1 << randomInt(random, 8);
      }
      return out;
    }
    case 1: {
      const out = input.slice();
      out[at] = INTERESTING_BYTES[randomInt(random, INTERESTING_BYTES.length)];
      return out;
    }
    case 2: {
      // A 16/32-bit word set to a boundary value, either byte order.
      const out = input.slice();
      const width = random() < 0.5 ? 2 : 4;
      writeWord(out, at, width, INTERESTING_WORDS[randomInt(random, INTERESTING_WORDS.length)] % 2 ** (8 * width), random() < 0.3);
      return out;
    }
    case 3: {
      // A known size field: a boundary value, or its value nudged by a little.
      const fields = seed.sizeFields ?? [];
      if (fields.length === 0) return mutateOnce(input, random, seed, others, text);
      const { offset, width, bigEndian = false } = fields[randomInt(random, fields.length)];
      const out = input.slice();
      const max = 2 ** (8 * width);
      const value =
        random() < 0.5
          ? INTERESTING_WORDS[randomInt(random, INTERESTING_WORDS.length)] % max
          : (readWord(out, offset, width, bigEndian) + randomInt(random, 17) - 8 + max) % max;
      writeWord(out, offset, width, value, bigEndian);
      return out;
    }
    case 4:
      // Truncation, usually near the header.
      return input.slice(0, random() < 0.5 ? at : randomInt(random, n));
    case 5: {
      // Duplicate a range in place (repeated chunks, lines, records).
      const length = 1 + randomInt(random, Math.min(256, n - at));
      return concat(input.subarray(0, at + length), input.subarray(at, at + length), input.subarray(at + length));
    }
    case 6: {
      // Splice: this input's head with another seed's tail.
      const other = others[randomInt(random, others.length)].bytes;
      return concat(input.subarray(0, at), other.subarray(randomInt(random, other.length + 1)));
    }
    case 7: {
      const length = 1 + randomInt(random, Math.min(64, n - at));
      return concat(input.subarray(0, at), input.subarray(at + length));
    }
    default: {
      // Text: insert or overwrite with a token that parsers treat specially.
      const token = new TextEncoder().encode(TEXT_TOKENS[randomInt(random, TEXT_TOKENS.length)]);
      const replace = kind === 9 ? Math.min(n - at, randomInt(random, 8)) : 0;
      return concat(input.subarray(0, at), token, input.subarray(at + replace));
    }
  }
}

/** The input of case `caseIndex`: a seed with one to four stacked mutations, then the seed's wrap. */
export function mutatedCase(seeds: FuzzSeed[], text: boolean, runSeed: number, caseIndex: number): Uint8Array {
  const random = caseRandom(runSeed, caseIndex);
  const seed = seeds[randomInt(random, seeds.length)];
  let bytes = seed.bytes;
  for (let k = 1 + randomInt(random, 4); k > 0; k--) bytes = mutateOnce(bytes, random, seed, seeds, text);
  return seed.wrap ? seed.wrap(bytes) : bytes;
}

/** Why a thrown value breaks the error contract, or undefined when it keeps it. */
export function errorContractProblem(err: unknown): string | undefined {
  if (!(err instanceof VoxlabError)) {
    const what = err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err);
    return `threw a non-VoxlabError (${what})`;
  }
  if (err.message.trim() === "") return "VoxlabError with an empty message";
  if (/[\n\r]/.test(err.message)) return `VoxlabError message is not one line: ${JSON.stringify(err.message.slice(0, 200))}`;
  if (err.message.length > 600) return `VoxlabError message is ${err.message.length} characters long`;
  return undefined;
}

/** Folds the variable parts of a message, so distinct messages count kinds of error. */
function messageKind(message: string): string {
  return message.replace(/"[^"]*"|'[^']*'/g, '"…"').replace(/0x[0-9a-f]+|\d+/gi, "#");
}

/** Runs `options.cases` mutated inputs through `target`, one at a time, timing and metering each. */
export async function fuzz<T>(target: FuzzTarget<T>, options: FuzzOptions): Promise<FuzzReport> {
  const caseLimitMs = options.caseLimitMs ?? 1000;
  const memoryLimit = (options.memoryLimitMiB ?? 512) * MiB;
  const baseline = process.memoryUsage().arrayBuffers;
  const failures: FuzzFailure[] = [];
  const errors = new Set<string>();
  let accepted = 0;
  let slowestMs = 0;
  let peakGrowth = 0;
  const runCase = async (i: number): Promise<void> => {
    const input = mutatedCase(target.seeds, target.text ?? false, options.seed, i);
    let problem: string | undefined;
    const start = performance.now();
    try {
      problem = target.check(await target.run(input));
      if (!problem) accepted++;
    } catch (err) {
      problem = errorContractProblem(err);
      if (!problem) errors.add(messageKind((err as Error).message));
    }
    const ms = performance.now() - start;
    slowestMs = Math.max(slowestMs, ms);
    if (!problem && ms > caseLimitMs) problem = `took ${ms.toFixed(0)} ms (limit ${caseLimitMs} ms)`;
    // Sampled: memoryUsage() costs tens of microseconds. ArrayBuffers count at their full size when
    // allocated (touched or not) and stay counted until collected, so a huge allocation shows here.
    if (i % 8 === 0 || problem) {
      const growth = process.memoryUsage().arrayBuffers - baseline;
      peakGrowth = Math.max(peakGrowth, growth);
      if (!problem && growth > memoryLimit) problem = `ArrayBuffer memory grew by ${(growth / MiB).toFixed(0)} MiB`;
    }
    if (problem) failures.push({ caseIndex: i, problem, input: failures.length < 20 ? input : new Uint8Array(0) });
  };
  // Synchronous targets run strictly one case at a time; `concurrency` only overlaps async waits.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.cases) await runCase(next++);
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
  failures.sort((a, b) => a.caseIndex - b.caseIndex);
  return {
    target: target.name,
    cases: options.cases,
    accepted,
    distinctErrors: errors.size,
    failures,
    slowestMs,
    peakArrayBufferGrowthMiB: peakGrowth / MiB,
  };
}

/** The one-line summary each fuzz test prints. */
export function describeReport(r: FuzzReport): string {
  const first = r.failures[0] ? `; first failure: case ${r.failures[0].caseIndex}: ${r.failures[0].problem}` : "";
  return (
    `fuzz ${r.target}: ${r.cases} cases, ${r.accepted} accepted, ${r.distinctErrors} distinct errors, ` +
    `${r.failures.length} failures, slowest ${r.slowestMs.toFixed(1)} ms, ` +
    `peak ArrayBuffer growth ${r.peakArrayBufferGrowthMiB.toFixed(1)} MiB${first}`
  );
}

/** Every failure, one per line, for the assertion message. */
export function listFailures(r: FuzzReport): string {
  return r.failures.map((f) => `case ${f.caseIndex}: ${f.problem}`).join("\n");
}

export type WavEncoding = "pcm8" | "pcm16" | "pcm24" | "pcm32" | "float32" | "float64";

const WAV_BITS: Record<WavEncoding, number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 };

export interface WavWriteOptions {
  /** Write a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk. */
  extensible?: boolean;
  /** A LIST chunk of this many bytes (odd sizes get the pad byte) before the data chunk. */
  listBytes?: number;
}

/**
 * A test-side WAV writer (independent of the decoder under test): planar channels of float samples,
 * integer encodings scaled by 2^(bits-1) and clipped, float encodings written as given (NaN included).
 */
export function wavFile(planes: ArrayLike<number>[], sampleRate: number, encoding: WavEncoding, options: WavWriteOptions = {}): Uint8Array {
  const bits = WAV_BITS[encoding];
  const bytesPerSample = bits / 8;
  const channels = planes.length;
  const frames = planes[0].length;
  const fmtSize = options.extensible ? 40 : 16;
  const listSize = options.listBytes ?? 0;
  const listChunk = listSize > 0 ? 8 + listSize + (listSize & 1) : 0;
  const dataSize = frames * channels * bytesPerSample;
  const bytes = new Uint8Array(12 + 8 + fmtSize + listChunk + 8 + dataSize);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => (bytes[offset + i] = c.charCodeAt(0)));
  const tag = encoding.startsWith("float") ? 3 : 1;
  ascii(0, "RIFF");
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, options.extensible ? 0xfffe : tag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytesPerSample, true);
  view.setUint16(32, channels * bytesPerSample, true);
  view.setUint16(34, bits, true);
  if (options.extensible) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, bits, true); // valid bits
    view.setUint32(40, 0, true); // channel mask
    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000t-0000-0010-8000-00aa00389b71}
    bytes.set([tag, 0, 0, 0, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 44);
  }
  let at = 20 + fmtSize;
  if (listChunk > 0) {
    ascii(at, "LIST");
    view.setUint32(at + 4, listSize, true);
    at += listChunk;
  }
  ascii(at, "data");
  view.setUint32(at + 4, dataSize, true);
  at += 8;
  const full = 2 ** (bits - 1);
  const int = (x: number) => Math.max(-full, Math.min(full - 1, Math.round(x * full)));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++, at += bytesPerSample) {
      const x = planes[c][f];
      if (encoding === "float32") view.setFloat32(at, x, true);
      else if (encoding === "float64") view.setFloat64(at, x, true);
      else if (encoding === "pcm8") bytes[at] = int(x) + 128;
      else if (encoding === "pcm16") view.setInt16(at, int(x), true);
      else if (encoding === "pcm24") writeWord(bytes, at, 3, (int(x) + 2 ** 24) % 2 ** 24, false);
      else view.setInt32(at, int(x), true);
    }
  }
  return bytes;
}

/** Offsets of a WAV's chunk size fields (RIFF size included), walking the chunks the writer laid out. */
export function wavSizeFields(bytes: Uint8Array): SizeField[] {
  const fields: SizeField[] = [{ offset: 4, width: 4 }];
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    fields.push({ offset: pos + 4, width: 4 });
    const size = readWord(bytes, pos + 4, 4, false);
    pos += 8 + size + (size & 1);
  }
  return fields;
}

/** Where a FLAC stream's metadata block headers are (after "fLaC"), and where its first frame starts. */
export function flacLayout(bytes: Uint8Array): { blockHeaders: number[]; framesStart: number } {
  const blockHeaders: number[] = [];
  let pos = 4;
  while (pos + 4 <= bytes.length) {
    blockHeaders.push(pos);
    const last = bytes[pos] & 0x80;
    pos += 4 + readWord(bytes, pos + 1, 3, true);
    if (last) break;
  }
  return { blockHeaders, framesStart: pos };
}

/** What a decode gave, comparable with deepEqual bit for bit: the audio (samples as bytes) or the error. */
export type DecodeOutcome = { sampleRate: number; channels: number; samples: Buffer } | { error: string };

export async function decodeOutcome(decode: () => Promise<DecodedAudio>): Promise<DecodeOutcome> {
  try {
    const { sampleRate, channels, samples } = await decode();
    return { sampleRate, channels, samples: Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength) };
  } catch (err) {
    return { error: String(err) };
  }
}

/** Runs `run` with console.error silenced: libFLAC prints the stream errors of broken files itself (they are checked through the results). */
export async function withoutLibflacLog<T>(run: () => Promise<T>): Promise<T> {
  const consoleError = console.error;
  console.error = () => {};
  try {
    return await run();
  } finally {
    console.error = consoleError;
  }
}
