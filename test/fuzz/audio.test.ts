// Seeded fuzzing of the WAV and FLAC decoders (through decodeAudio, as every caller reaches them).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeFlacOnNewInstance, flacInstancesSetUp } from "../../src/audio/flac.ts";
import { decodeAudio, type DecodedAudio } from "../../src/index.ts";
import {
  decodeOutcome,
  describeReport,
  flacLayout,
  fuzz,
  listFailures,
  mutatedCase,
  wavFile,
  wavSizeFields,
  type FuzzSeed,
  type FuzzTarget,
  type SizeField,
  withoutLibflacLog,
} from "../helpers/fuzz.ts";
import { dataset, fixture, needShared } from "../helpers/shared.ts";

const CASES = 10_000;
const FLAC_SEED_FILES = ["44260689/go/00001.flac", "44260689/off/00001.flac"];

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
  return FLAC_SEED_FILES.map((file) => {
    const bytes = new Uint8Array(readFileSync(dataset("speech-commands", "wav", file)));
    const { blockHeaders, framesStart } = flacLayout(bytes);
    const sizeFields: SizeField[] = [
      { offset: 18, width: 3, bigEndian: true }, // sample rate (20 bits), channels, bits per sample
      { offset: 22, width: 4, bigEndian: true }, // total samples (low 32 of 36 bits)
      ...blockHeaders.map((at) => ({ offset: at + 1, width: 3 as const, bigEndian: true })), // block lengths
    ];
    return { bytes, hot: [[0, framesStart + 16]], sizeFields };
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
  // Two cases in flight, so the thread's one libFLAC instance also serves decodes queued behind each other.
  await withoutLibflacLog(() => runTarget(target, CASES, 2, t));
});

const DIFFERENTIAL_CASES = 200;

test("fuzz: FLAC decodes on the thread's reused libFLAC instance exactly as on a new instance per file", { skip: needShared, timeout: 300_000 }, async () => {
  const seeds = flacSeeds();
  const isFlac = (bytes: Uint8Array): boolean => Buffer.from(bytes.subarray(0, 4)).toString("latin1") === "fLaC";
  const real = [
    ...FLAC_SEED_FILES.map((file) => dataset("speech-commands", "wav", file)),
    dataset("speech-commands", "wav", "0c540988", "off", "00001.flac"), // its last frame needs the padding
    dataset("librispeech-cohort", "wav", "3235", "11599", "3235-11599-0000.flac"), // likewise
  ].map((path) => new Uint8Array(readFileSync(path)));
  const counts = { decodes: 0, accepted: 0, rejected: 0 };
  const setUpBefore = flacInstancesSetUp();
  await withoutLibflacLog(async () => {
    for (let i = 0; i < DIFFERENTIAL_CASES; i++) {
      // A real file after each mutated one: an instance a bad file left in a bad state would show on it.
      for (const input of [mutatedCase(seeds, false, 20251127, i), real[i % real.length]].filter(isFlac)) {
        const reused = await decodeOutcome(() => decodeAudio(input, "case.flac"));
        const reference = await decodeOutcome(() => decodeFlacOnNewInstance(input, "case.flac"));
        assert.deepEqual(reused, reference, `case ${i}`);
        counts.decodes++;
        counts["error" in reused ? "rejected" : "accepted"]++;
      }
    }
  });
  assert.ok(counts.accepted > DIFFERENTIAL_CASES && counts.rejected > DIFFERENTIAL_CASES / 2, JSON.stringify(counts));
  // The reused path did most of the work (a one-shot decode sets up two instances).
  assert.ok(flacInstancesSetUp() - setUpBefore < counts.decodes / 4, `${flacInstancesSetUp() - setUpBefore} set-ups for ${JSON.stringify(counts)}`);
});
