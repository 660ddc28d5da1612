import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { test } from "node:test";
import { computeFeatures, type FeatureMatrix, type FrontendName } from "../../src/features/index.ts";
import { decodeNpy } from "../../src/core/npy.ts";
import { fixture, hasShared, needShared } from "../helpers/shared.ts";

/** The fixture WAVs are 16 kHz mono PCM16; read them here so these tests do not depend on the audio stage. */
function readPcm16Wav(path: string): Float32Array {
  const bytes = readFileSync(path);
  assert.equal(bytes.toString("latin1", 0, 4), "RIFF");
  assert.equal(bytes.toString("latin1", 8, 12), "WAVE");
  let pos = 12;
  let format: { channels: number; rate: number; bits: number } | undefined;
  while (pos + 8 <= bytes.length) {
    const id = bytes.toString("latin1", pos, pos + 4);
    const size = bytes.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === "fmt ") {
      format = { channels: bytes.readUInt16LE(body + 2), rate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
    } else if (id === "data") {
      assert.deepEqual(format, { channels: 1, rate: 16000, bits: 16 }, `${path}: not 16 kHz mono PCM16`);
      const samples = new Float32Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(body + 2 * i) / 32768;
      return samples;
    }
    pos = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/**
 * Max abs error over [T,80], in two tiers. The references are float32 (torch), whose FFT round-off is ~1e-7 of
 * the frame's loudest bins: a bin far below its frame's peak carries a relative error that grows as the depth does
 * (measured on chirp-2s with kaldi-3dspeaker: 1e-3 at 70-80 dB, 5e-3 at 90 dB, 3e-2 at 100 dB below the peak).
 * So the 2e-3 bound holds for bins within 80 dB of their frame's loudest bin; deeper ones get FLOOR_TOLERANCE.
 */
function compare(actual: FeatureMatrix, expected: Npy, dbPerUnit: number): { near: number; deep: number; deepCount: number } {
  assert.deepEqual([actual.frames, actual.bins], expected.shape);
  const result = { near: 0, deep: 0, deepCount: 0 };
  for (let t = 0; t < actual.frames; t++) {
    const row = expected.data.subarray(t * actual.bins, (t + 1) * actual.bins);
    const peak = Math.max(...row);
    for (let b = 0; b < actual.bins; b++) {
      const err = Math.abs(actual.data[t * actual.bins + b] - row[b]);
      if ((peak - row[b]) * dbPerUnit <= 80) result.near = Math.max(result.near, err);
      else {
        result.deep = Math.max(result.deep, err);
        result.deepCount++;
      }
    }
  }
  return result;
}

type Npy = { shape: number[]; data: Float32Array };

const TOLERANCE = 2e-3;
const FLOOR_TOLERANCE = 5e-2;
/**
 * dB per unit of each frontend's log, for the depth test: Kaldi's is ln (10/ln 10 dB per nat). SpeechBrain's top_db
 * clamp keeps every bin within 80 dB of the utterance peak, so all its bins are held to TOLERANCE (0 dB per unit).
 */
const DB_PER_UNIT = { speechbrain: 0, "kaldi-wespeaker": 10 / Math.LN10, "kaldi-3dspeaker": 10 / Math.LN10 };
const audioNames = hasShared ? readdirSync(fixture("audio")).map((f) => basename(f, ".wav")) : [];

// The speechbrain-fbank/*.fbank.npy fixtures are NOT the raw fbank: their per-bin time means are 0 and they equal
// *.norm.npy to 5e-6, because SpeechBrain 0.5's InputNormalization writes `x[snt_id] = ...` into its input tensor,
// which the fixture script saved afterwards. So they are compared after mean norm; the raw fbank's absolute level
// is checked by the hand-computed tests in features-units.test.ts.
const cases: { file: string; frontend: FrontendName; meanNorm: boolean }[] = [
  { file: "speechbrain-fbank/%.fbank.npy", frontend: "speechbrain", meanNorm: true },
  { file: "speechbrain-fbank/%.norm.npy", frontend: "speechbrain", meanNorm: true },
  { file: "kaldi-fbank/%.wespeaker.npy", frontend: "kaldi-wespeaker", meanNorm: false },
  { file: "kaldi-fbank/%.3dspeaker.npy", frontend: "kaldi-3dspeaker", meanNorm: false },
];

for (const { file, frontend, meanNorm } of cases) {
  test(`features parity: ${frontend}${meanNorm ? " + mean norm" : ""} matches ${file.replace("%", "*")}`, { skip: needShared }, () => {
    const report: string[] = [];
    for (const name of audioNames) {
      const samples = readPcm16Wav(fixture("audio", `${name}.wav`));
      const expectedPath = fixture(...file.replace("%", name).split("/"));
      if (!existsSync(expectedPath)) {
        // No reference: the input is shorter than one frame, which must be refused.
        assert.ok(frontend !== "speechbrain", `${expectedPath} is missing`);
        assert.ok(samples.length < 400);
        assert.throws(() => computeFeatures(samples, frontend, { meanNorm, name }), /audio shorter than one 25 ms frame/);
        report.push(`${name}: refused`);
        continue;
      }
      const err = compare(computeFeatures(samples, frontend, { meanNorm }), decodeNpy(readFileSync(expectedPath)), DB_PER_UNIT[frontend]);
      report.push(`${name}: ${err.near.toExponential(2)}` + (err.deepCount ? ` (${err.deepCount} bins >80 dB down: ${err.deep.toExponential(2)})` : ""));
      assert.ok(err.near <= TOLERANCE, `${name}: max abs error ${err.near} > ${TOLERANCE}`);
      assert.ok(err.deep <= FLOOR_TOLERANCE, `${name}: max abs error ${err.deep} > ${FLOOR_TOLERANCE} in bins >80 dB below the frame peak`);
    }
    console.log(`${file.replace("%", "*")}: ${report.join(", ")}`);
  });
}
