import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeAudio, loadAudio, resample } from "../../src/audio/decode.ts";
import libsamplerate from "@alexanderolsen/libsamplerate-js";
import { VoxlabError } from "../../src/core/errors.ts";
import { dataset, needShared } from "../helpers/shared.ts";

const OUT_RATE = 16000;
/** Edges skipped when measuring: the sinc filter sees silence before the start and after the end. */
const EDGE = 800;

/** n samples of amplitude·sin(phase(t)) at `rate` Hz. */
function signal(rate: number, seconds: number, phase: (t: number) => number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin(phase(i / rate)));
}
const tone = (frequency: number) => (t: number) => 2 * Math.PI * frequency * t;
/** A linear sweep from f0 to f1 Hz over `seconds`. */
const sweep = (f0: number, f1: number, seconds: number) => (t: number) => 2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * seconds));

/** A copy of x with raised-cosine fades of `seconds` at both ends. */
function fadeInOut(x: Float32Array, rate: number, seconds: number): Float32Array {
  const n = Math.round(rate * seconds);
  return x.map((v, i) => {
    const fromEdge = Math.min(i, x.length - 1 - i);
    return fromEdge >= n ? v : v * 0.5 * (1 - Math.cos((Math.PI * fromEdge) / n));
  });
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (to - from));
}
const dB = (ratio: number): number => 20 * Math.log10(ratio);

/** Frequency from the zero crossings between `from` and `to`, each located by linear interpolation. */
function zeroCrossingFrequency(x: Float32Array, rate: number, from: number, to: number): number {
  const crossings: number[] = [];
  for (let i = from; i < to - 1; i++) {
    if (x[i] <= 0 !== x[i + 1] <= 0) crossings.push(i + x[i] / (x[i] - x[i + 1]));
  }
  const periods = (crossings.length - 1) / 2;
  return (periods * rate) / (crossings[crossings.length - 1] - crossings[0]);
}

/** The largest deviation from the ideal signal phase(t) sampled at 16 kHz, away from the edges. */
function maxErrorVsIdeal(y: Float32Array, phase: (t: number) => number): number {
  let worst = 0;
  for (let m = EDGE; m < y.length - EDGE; m++) worst = Math.max(worst, Math.abs(y[m] - 0.5 * Math.sin(phase(m / OUT_RATE))));
  return worst;
}

for (const rate of [22050, 44100, 48000]) {
  test(`${rate} Hz -> 16 kHz: 1, 5 and 7.5 kHz tones keep frequency, level and phase`, async () => {
    for (const frequency of [1000, 5000, 7500]) {
      const x = signal(rate, 1, tone(frequency));
      const y = await resample(x, rate, OUT_RATE);
      assert.equal(y.length, OUT_RATE);
      const measured = zeroCrossingFrequency(y, OUT_RATE, EDGE, y.length - EDGE);
      assert.ok(Math.abs(measured - frequency) < 0.5, `${frequency} Hz measured as ${measured} Hz`);
      const levelChange = dB(rms(y, EDGE, y.length - EDGE) / rms(x));
      assert.ok(Math.abs(levelChange) < 0.1, `${frequency} Hz level changed by ${levelChange} dB`);
      const error = maxErrorVsIdeal(y, tone(frequency));
      assert.ok(error < 1e-3, `${frequency} Hz: max deviation from the ideal 16 kHz samples ${error}`);
    }
  });

  test(`${rate} Hz -> 16 kHz: tones above the new Nyquist (8 kHz) are rejected by >= 60 dB`, async (t) => {
    const frequencies = rate === 22050 ? [9000, 10000] : [10000, 12000];
    for (const frequency of frequencies) {
      const x = signal(rate, 1, tone(frequency));
      const y = await resample(x, rate, OUT_RATE);
      const interior = dB(rms(y, EDGE, y.length - EDGE) / rms(x, EDGE, x.length - EDGE));
      // Switching a tone on and off abruptly puts real energy into the passband (the clicks), so the
      // whole-signal figure uses a tone faded in and out over 50 ms.
      const faded = fadeInOut(x, rate, 0.05);
      const whole = dB(rms(await resample(faded, rate, OUT_RATE)) / rms(faded));
      t.diagnostic(`${rate} Hz, ${frequency} Hz tone: ${interior.toFixed(1)} dB (interior), ${whole.toFixed(1)} dB (whole, faded tone)`);
      assert.ok(interior < -60, `${frequency} Hz only attenuated by ${-interior} dB`);
      assert.ok(whole < -60, `faded ${frequency} Hz only attenuated by ${-whole} dB`);
    }
  });

  test(`${rate} Hz -> 16 kHz: a linear sweep 50 Hz -> 7 kHz keeps its level`, async () => {
    const phase = sweep(50, 7000, 2);
    const y = await resample(signal(rate, 2, phase), rate, OUT_RATE);
    const ideal = signal(OUT_RATE, 2, phase);
    assert.equal(y.length, ideal.length);
    const window = 320; // 20 ms
    for (let start = EDGE; start + window <= y.length - EDGE; start += window) {
      const change = dB(rms(y, start, start + window) / rms(ideal, start, start + window));
      assert.ok(Math.abs(change) < 0.1, `sweep at ${(start / OUT_RATE).toFixed(2)} s: level changed by ${change} dB`);
    }
    assert.ok(maxErrorVsIdeal(y, phase) < 2e-3);
  });
}

test("8 kHz -> 16 kHz: a 1 kHz tone is interpolated, not imaged", async () => {
  const y = await resample(signal(8000, 1, tone(1000)), 8000, OUT_RATE);
  assert.equal(y.length, 16000);
  assert.ok(maxErrorVsIdeal(y, tone(1000)) < 1e-3);
});

test("output length is round(n * ratio); equal rates return the input itself", async () => {
  const x = signal(44100, 1, tone(440));
  assert.equal((await resample(x.subarray(0, 44101), 44100, 16000)).length, 16000); // 16000.36
  assert.equal((await resample(x.subarray(0, 44090), 44100, 16000)).length, 15996); // 15996.37
  assert.equal((await resample(x.subarray(0, 3), 48000, 16000)).length, 1);
  assert.equal((await resample(new Float32Array(0), 48000, 16000)).length, 0);
  assert.equal(await resample(x, 16000, 16000), x);
});

test("a long signal (10 s at 48 kHz, many chunks) stays continuous", async () => {
  const x = signal(48000, 10, tone(1000));
  const y = await resample(x, 48000, OUT_RATE);
  assert.equal(y.length, 160000);
  assert.ok(maxErrorVsIdeal(y, tone(1000)) < 1e-3);
});

test("streamed on this thread's reused converters, the output is libsamplerate's one-shot simple() on a fresh one, bit for bit (its samples), also when calls interleave", async () => {
  const { create, ConverterType } = libsamplerate;
  const cases = [
    { from: 8000, seconds: 1 },
    { from: 44100, seconds: 2.3 },
    { from: 8000, seconds: 0.37 },
    { from: 48000, seconds: 0.2 },
    { from: 22050, seconds: 1.1 },
  ].map(({ from, seconds }, k) => ({ from, x: signal(from, seconds, sweep(50 + 40 * k, 0.45 * from, seconds)) }));
  const references: Float32Array[] = [];
  for (const { from, x } of cases) {
    const fresh = await create(1, from, OUT_RATE, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
    references.push(fresh.simple(x));
    fresh.destroy();
  }
  // simple() may stop one sample short of round(n * ratio) (it drains no more than it must); the rest must match exactly.
  const same = (ours: Float32Array, reference: Float32Array) =>
    reference.length >= ours.length - 1 && reference.length <= ours.length && reference.every((v, i) => Object.is(v, ours[i]));
  // One after another (the 8 kHz converter is reused for the third call), then all at once.
  for (const [i, { from, x }] of cases.entries()) assert.ok(same(await resample(x, from, OUT_RATE), references[i]), `case ${i} in turn`);
  const together = await Promise.all(cases.map(({ from, x }) => resample(x, from, OUT_RATE)));
  together.forEach((y, i) => assert.ok(same(y, references[i]), `case ${i} concurrently`));
});

test("bad rates are VoxlabErrors", async () => {
  const x = new Float32Array(100);
  await assert.rejects(resample(x, 0, 16000), VoxlabError);
  await assert.rejects(resample(x, 44100.5, 16000), /not a positive integer/);
  await assert.rejects(resample(x, 16000, -1), VoxlabError);
  await assert.rejects(resample(x, 50, 16000), /ratio is outside/);
});

// ---- Real 8 kHz speech: Free Spoken Digit Dataset ----

const GRID_HZ = 10;

/**
 * |DFT|/n of the Hann-windowed signal on a 10 Hz grid from 0 to maxHz: an amplitude spectrum comparable
 * across sample rates (the window spans the same time at any rate; it keeps the leakage of the strong low
 * bands out of the empty high ones).
 */
function amplitudeSpectrum(x: Float32Array, rate: number, maxHz: number): Float64Array {
  const windowed = x.map((v, i) => v * 0.5 * (1 - Math.cos((2 * Math.PI * i) / x.length)));
  const bins = Math.floor(maxHz / GRID_HZ) + 1;
  const spectrum = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    const w = (2 * Math.PI * k * GRID_HZ) / rate;
    let re = 0;
    let im = 0;
    for (let i = 0; i < windowed.length; i++) {
      re += windowed[i] * Math.cos(w * i);
      im -= windowed[i] * Math.sin(w * i);
    }
    spectrum[k] = Math.hypot(re, im) / x.length;
  }
  return spectrum;
}

const bandEnergy = (spectrum: Float64Array, fromHz: number, toHz: number): number => {
  let sum = 0;
  for (let k = Math.ceil(fromHz / GRID_HZ); k < Math.min(spectrum.length, toHz / GRID_HZ); k++) sum += spectrum[k] ** 2;
  return sum;
};

function fsddFiles(count: number): string[] {
  const root = dataset("fsdd", "wav");
  const files: string[] = [];
  for (const speaker of readdirSync(root).sort()) {
    const digit = readdirSync(join(root, speaker)).sort()[0];
    files.push(join(root, speaker, digit, readdirSync(join(root, speaker, digit)).sort()[0]));
    if (files.length === count) break;
  }
  return files;
}

test("FSDD 8 kHz speech: twice the samples at 16 kHz, the same spectrum below 3.5 kHz, nothing imaged above 4.5 kHz", { skip: needShared }, async (t) => {
  for (const path of fsddFiles(3)) {
    const original = await decodeAudio(new Uint8Array(readFileSync(path)), path);
    assert.equal(original.sampleRate, 8000);
    const upsampled = await loadAudio(path);
    assert.equal(upsampled.length, 2 * original.samples.length);

    const before = amplitudeSpectrum(original.samples, 8000, 3990);
    const after = amplitudeSpectrum(upsampled, OUT_RATE, 7990);
    const peak = (s: Float64Array, bins: number): number => s.subarray(0, bins).reduce((best, v, k) => (v > s[best] ? k : best), 0);
    assert.equal(peak(after, before.length) * GRID_HZ, peak(before, before.length) * GRID_HZ, `${path}: dominant frequency moved`);

    const total = bandEnergy(before, 0, 4000);
    for (let band = 0; band < 3500; band += 500) {
      const energyBefore = bandEnergy(before, band, band + 500);
      if (energyBefore < total * 1e-4) continue; // bands 40 dB down are noise-level either way
      const change = 10 * Math.log10(bandEnergy(after, band, band + 500) / energyBefore);
      assert.ok(Math.abs(change) < 0.2, `${path}: ${band}-${band + 500} Hz changed by ${change} dB`);
    }
    const imaged = 10 * Math.log10(bandEnergy(after, 4500, 8000) / total);
    t.diagnostic(`${path}: energy above 4.5 kHz after upsampling ${imaged.toFixed(1)} dB re the total`);
    assert.ok(imaged < -100, `${path}: ${imaged} dB of images above 4.5 kHz`);
  }
});
