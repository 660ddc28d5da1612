// Seeded fuzzing of the WAV and FLAC decoders (through decodeAudio, as every caller reaches them).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeAudio, type DecodedAudio } from "../src/index.ts";
import { describeReport, fuzz, listFailures, wavFile, wavSizeFields, type FuzzSeed, type FuzzTarget, type SizeField } from "./helpers/fuzz.ts";
import { dataset, fixture, needShared } from "./helpers/shared.ts";

const CASES = 10_000;
/**
 * Every FLAC decode instantiates the libFLAC WASM module twice (decoder and its reset), about 30 ms a
 * file here, so CI runs a share of the cases; FUZZ_FLAC_CASES=10000 runs the full count (about 5 min).
 */
const FLAC_CASES = Number(process.env.FUZZ_FLAC_CASES ?? 400);

function checkAudio(audio: DecodedAudio): string | undefined {
  if (!Number.isInteger(audio.sampleRate) || audio.sampleRate <= 0) return `sample rate ${audio.sampleRate}`;
  if (!Number.isInteger(audio.channels) || audio.channels < 1) return `${audio.channels} channels`;
  if (!(audio.samples instanceof Float32Array) || audio.samples.length === 0) return "no samples";
  const bad = audio.samples.findIndex((x) => !Number.isFinite(x));
  return bad >= 0 ? `sample ${bad} is ${audio.samples[bad]}` : undefined;
}

/** WAV seeds: a real fixture as is, plus its first 0.1 s re-encoded in every format the decoder reads. */
function wavSeeds(): FuzzSeed[] {
  const real = new Uint8Array(readFileSync(fixture("audio", "short-0.25s.wav")));
  const pcm = new DataView(real.buffer, real.byteOffset + 44, 3200);
  const left = Float32Array.from({ length: 1600 }, (_, i) => pcm.getInt16(2 * i, true) / 32768);
  const right = left.map((x) => -0.5 * x);
  const made = [
    wavFile([left], 16000, "pcm8"),
    wavFile([left, right], 8000, "pcm24"),
    wavFile([left], 16000, "pcm32", { listBytes: 7 }),
    wavFile([left], 16000, "float32"),
    wavFile([left, right], 44100, "float64", { extensible: true }),
    wavFile([left, right, left], 16000, "pcm16", { extensible: true, listBytes: 12 }),
  ];
  return [real, ...made].map((bytes) => {
    const fields = wavSizeFields(bytes);
    const fmt: SizeField[] = [22, 32, 34].map((offset) => ({ offset, width: 2 as const }));
    const dataStart = fields[fields.length - 1].offset + 4;
    return { bytes, hot: [[0, dataStart]], sizeFields: [...fields, ...fmt, { offset: 24, width: 4 }] };
  });
}

/** FLAC seeds: real speech-commands files; the header (STREAMINFO and other metadata) is where mutations go. */
function flacSeeds(): FuzzSeed[] {
  const files = ["44260689/go/00001.flac", "44260689/off/00001.flac"];
  return files.map((file) => {
    const bytes = new Uint8Array(readFileSync(dataset("speech-commands", "wav", file)));
    const sizeFields: SizeField[] = [
      { offset: 18, width: 3, bigEndian: true }, // sample rate (20 bits), channels, bits per sample
      { offset: 22, width: 4, bigEndian: true }, // total samples (low 32 of 36 bits)
    ];
    let pos = 4;
    while (pos + 4 <= bytes.length) {
      sizeFields.push({ offset: pos + 1, width: 3, bigEndian: true });
      const last = bytes[pos] & 0x80;
      pos += 4 + ((bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]);
      if (last) break;
    }
    return { bytes, hot: [[0, pos + 16]], sizeFields };
  });
}

async function runTarget(target: FuzzTarget<DecodedAudio>, cases: number, concurrency: number, t: { diagnostic(m: string): void }): Promise<void> {
  const report = await fuzz(target, { cases, seed: 20240808, concurrency });
  t.diagnostic(describeReport(report));
  assert.ok(report.accepted > 0 && report.distinctErrors > 5, "the mutations reach both the success and the error paths");
  assert.equal(report.failures.length, 0, listFailures(report));
}

test("fuzz: the WAV decoder returns finite audio or a one-line VoxlabError", { skip: needShared, timeout: 120_000 }, async (t) => {
  const target: FuzzTarget<DecodedAudio> = {
    name: "wav",
    seeds: wavSeeds(),
    run: (input) => decodeAudio(input, "fuzz.wav"),
    check: checkAudio,
  };
  await runTarget(target, CASES, 1, t);
});

test("fuzz: the FLAC decoder returns finite audio or a one-line VoxlabError", { skip: needShared, timeout: 300_000 }, async (t) => {
  const target: FuzzTarget<DecodedAudio> = {
    name: "flac",
    seeds: flacSeeds(),
    run: (input) => decodeAudio(input, "fuzz.flac"),
    check: checkAudio,
  };
  // libFLAC reports stream errors on stderr itself; the decoder's errors are checked through decodeAudio.
  const consoleError = console.error;
  console.error = () => {};
  try {
    await runTarget(target, FLAC_CASES, 2, t);
  } finally {
    console.error = consoleError;
  }
});
