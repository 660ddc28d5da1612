import assert from "node:assert/strict";
import { test } from "node:test";
import { VoxlabError } from "../../src/core/errors.ts";
import { computeFeatures, computeKaldiFbank, computeSpeechbrainFbank, parseFrontendName, subtractTimeMean } from "../../src/features/index.ts";
import { ComplexFft, RealPowerSpectrum } from "../../src/features/fft.ts";
import { KALDI_3DSPEAKER, KALDI_WESPEAKER, kaldiMelBank } from "../../src/features/kaldi.ts";
import { melWeight } from "../../src/features/mel.ts";
import { speechbrainMelBank } from "../../src/features/speechbrain.ts";

/** A deterministic pseudo-random signal in [-1, 1). */
function noise(n: number, seed = 1): Float64Array {
  let state = seed;
  return Float64Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 1073741824 - 1;
  });
}

/** The textbook O(N^2) DFT, the independent reference for the FFTs. */
function naiveDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      out.re[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      out.im[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  }
  return out;
}

const sine = (n: number, hz: number, amplitude: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000));

test("fft: mixed-radix complex FFT of 200, 256, 100, 40 and 8 points equals the naive DFT", () => {
  for (const size of [200, 256, 100, 40, 8]) {
    const re = noise(size, size);
    const im = noise(size, size + 7);
    const expected = naiveDft(re, im);
    new ComplexFft(size).transform(re, im);
    for (let k = 0; k < size; k++) {
      assert.ok(Math.abs(re[k] - expected.re[k]) < 1e-9 && Math.abs(im[k] - expected.im[k]) < 1e-9, `size ${size} bin ${k}`);
    }
  }
  assert.throws(() => new ComplexFft(30), /not a product of 2, 4, 5 and 8/);
});

test("fft: real power spectrum of 400, 512 and 20 points equals |naive DFT|^2 for bins 0..N/2", () => {
  for (const size of [400, 512, 20]) {
    const frame = noise(size, 3);
    const expected = naiveDft(frame, new Float64Array(size));
    const power = new Float64Array(size / 2 + 1);
    new RealPowerSpectrum(size).compute(frame, power);
    for (let k = 0; k <= size / 2; k++) {
      const p = expected.re[k] ** 2 + expected.im[k] ** 2;
      assert.ok(Math.abs(power[k] - p) < 1e-9 * Math.max(1, p), `size ${size} bin ${k}: ${power[k]} vs ${p}`);
    }
  }
});

test("speechbrain mel bank: filter 0 (centre 22.12 Hz, half-width 22.12 Hz) covers only FFT bin 1 (40 Hz)", () => {
  const bank = speechbrainMelBank();
  assert.equal(bank.filters, 80);
  assert.equal(bank.fftBins, 201);
  // 1 - (40 - 22.120066) / 22.120066, by hand from mel(8000)/81 = 35.06 mel -> 22.120066 Hz.
  assert.ok(Math.abs(melWeight(bank, 0, 1) - 0.1916871) < 1e-6);
  for (const k of [0, 2, 3]) assert.equal(melWeight(bank, 0, k), 0);
  // Filter 27 (centre 972.69 Hz, half-width 51.24 Hz) touches 960 and 1000 Hz only.
  assert.ok(Math.abs(melWeight(bank, 27, 24) - 0.7522561) < 1e-6);
  assert.ok(Math.abs(melWeight(bank, 27, 25) - 0.4670757) < 1e-6);
  assert.equal(melWeight(bank, 27, 23), 0);
  assert.equal(melWeight(bank, 27, 26), 0);
});

test("speechbrain fbank: a 1 kHz tone gives the hand-computed dB levels and an 80 dB floor", () => {
  // 1 kHz is exactly FFT bin 25 of 400 points, so with the periodic Hamming window a mid frame has power only in
  // bins 24..26: |X25| = A*400*0.54/2 = 54 and |X24| = |X26| = A*400*0.23/2 = 23 for A = 0.5. Filter 27 weighs bins
  // 24, 25 by 0.75226, 0.46708; filter 28 weighs bins 25, 26 by 0.51660, 0.72665 (SpeechBrain's triangles).
  const fbank = computeSpeechbrainFbank(sine(16000, 1000, 0.5));
  assert.equal(fbank.frames, 101);
  const row = fbank.data.subarray(50 * 80, 51 * 80);
  const expected = [
    [26, 20.7365],
    [27, 32.45497],
    [28, 32.76646],
    [29, 21.46670],
  ];
  for (const [bin, db] of expected) assert.ok(Math.abs(row[bin] - db) < 1e-3, `mel ${bin}: ${row[bin]} vs ${db}`);
  const max = Math.max(...fbank.data);
  assert.ok(Math.abs(max - 32.76646) < 1e-3);
  assert.ok(Math.abs(Math.min(...fbank.data) - (max - 80)) < 1e-4, "top_db clamps at the utterance max - 80 dB");
  assert.ok(Math.abs(row[0] - (max - 80)) < 1e-4);
});

test("speechbrain fbank: T = 1 + floor(N / 160); digital silence is 10*log10(1e-10) = -100 dB", () => {
  for (const [n, frames] of [
    [0, 1],
    [159, 1],
    [160, 2],
    [8000, 51],
  ]) {
    assert.equal(computeSpeechbrainFbank(new Float32Array(n)).frames, frames, `N = ${n}`);
  }
  assert.ok(computeSpeechbrainFbank(new Float32Array(800)).data.every((v) => v === -100));
});

test("kaldi mel bank: 20 Hz .. Nyquist triangles in 1127 ln(1 + f/700) mel space", () => {
  const bank = kaldiMelBank();
  assert.equal(bank.fftBins, 257);
  // Filter 0: 20 Hz to 66.9 Hz with its apex at 42.49 Hz; FFT bins are 31.25 Hz apart.
  assert.ok(Math.abs(melWeight(bank, 0, 1) - 0.5039832) < 1e-6);
  assert.ok(Math.abs(melWeight(bank, 0, 2) - 0.1357234) < 1e-6);
  assert.equal(melWeight(bank, 0, 0), 0);
  assert.equal(melWeight(bank, 0, 3), 0);
  // The last filter ends at Nyquist, which (Kaldi pads a zero column) gets no weight.
  assert.ok(Math.abs(melWeight(bank, 79, 255) - 0.1169712) < 1e-6);
  for (let i = 0; i < 80; i++) assert.equal(melWeight(bank, i, 256), 0);
});

test("kaldi fbank: frame count with snip_edges, refusal below one frame", () => {
  for (const [n, frames] of [
    [400, 1],
    [559, 1],
    [560, 2],
    [16000, 98],
  ]) {
    assert.equal(computeKaldiFbank(new Float32Array(n), KALDI_WESPEAKER).frames, frames, `N = ${n}`);
  }
  assert.throws(
    () => computeKaldiFbank(new Float32Array(399), { ...KALDI_3DSPEAKER, name: "a.wav" }),
    (err: unknown) => err instanceof VoxlabError && /^a\.wav: audio shorter than one 25 ms frame/.test(err.message),
  );
});

test("kaldi fbank: silence and a constant (removed as DC) give log(float32 eps) everywhere", () => {
  const floor = Math.log(1.1920928955078125e-7);
  for (const signal of [new Float32Array(1600), new Float32Array(1600).fill(0.25)]) {
    for (const preset of [KALDI_WESPEAKER, KALDI_3DSPEAKER]) {
      const fbank = computeKaldiFbank(signal, preset);
      assert.ok(fbank.data.every((v) => Math.abs(v - floor) < 1e-6));
    }
  }
});

test("kaldi fbank: a 1 kHz tone peaks in filter 27 (apex 1003.8 Hz), and 32768x scaling adds 2 ln 32768", () => {
  const tone = sine(4000, 1000, 0.5);
  const wespeaker = computeKaldiFbank(tone, KALDI_WESPEAKER);
  const row = Array.from(wespeaker.data.subarray(10 * 80, 11 * 80));
  assert.equal(row.indexOf(Math.max(...row)), 27);
  // Same window, unscaled: every bin that is clear of the epsilon floor is lower by ln(32768^2).
  const unscaled = computeKaldiFbank(tone, { window: "hamming", scale: 1 });
  assert.ok(Math.abs(wespeaker.data[10 * 80 + 27] - unscaled.data[10 * 80 + 27] - 2 * Math.log(32768)) < 1e-4);
});

test("features registry: names, mean norm and a clear error for an unknown frontend", () => {
  assert.equal(parseFrontendName("kaldi-3dspeaker"), "kaldi-3dspeaker");
  assert.throws(
    () => parseFrontendName("mfcc", "--frontend"),
    (err: unknown) =>
      err instanceof VoxlabError && err.message === '--frontend: unknown frontend "mfcc" (expected one of speechbrain, kaldi-wespeaker, kaldi-3dspeaker)',
  );
  const tone = sine(8000, 440, 0.3);
  const normed = computeFeatures(tone, "kaldi-wespeaker", { meanNorm: true });
  const raw = computeFeatures(tone, "kaldi-wespeaker", { meanNorm: false });
  assert.deepEqual(subtractTimeMean(raw).data, normed.data);
  for (let b = 0; b < 80; b++) {
    let sum = 0;
    for (let t = 0; t < normed.frames; t++) sum += normed.data[t * 80 + b];
    assert.ok(Math.abs(sum / normed.frames) < 1e-4, `bin ${b} mean`);
  }
});

test("subtractTimeMean: subtracts each column's mean (hand example)", () => {
  const out = subtractTimeMean({ frames: 2, bins: 2, data: Float32Array.from([1, 10, 3, 20]) });
  assert.deepEqual(Array.from(out.data), [-1, -5, 1, 5]);
});
