// Signal processing for the demo dataset: cutting a synthesiser's output into utterances, converting it to
// 16 kHz, and recording-condition effects (room reverberation, background noise, level). Pure functions
// over typed arrays; every random draw comes from the caller's seeded PRNG.
import { ComplexFft } from "../../features/fft.ts";
import type { Random } from "../../core/random.ts";

/**
 * Spans [start, end) of sound, where sound is any sample above `silence` in magnitude and spans are
 * separated by at least `minGap` quieter samples (shorter pauses stay inside a span).
 */
export function soundSpans(samples: Float32Array, silence: number, minGap: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = -1;
  let lastLoud = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]) <= silence) continue;
    if (start < 0) start = i;
    else if (i - lastLoud > minGap) {
      spans.push([start, lastLoud + 1]);
      start = i;
    }
    lastLoud = i;
  }
  if (start >= 0) spans.push([start, lastLoud + 1]);
  return spans;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** The zeroth-order modified Bessel function of the first kind (for the Kaiser window), by its series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50 && term > 1e-12 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** Windowed-sinc taps per side of an output sample, counted in input samples. */
const RESAMPLE_HALF_TAPS = 32;
const KAISER_BETA = 7;

/**
 * Rational-ratio resampling by a polyphase Kaiser-windowed sinc (64 taps, cutoff 0.9 of the lower Nyquist,
 * about 70 dB stopband). src/audio's libsamplerate path is the quality reference for real recordings but
 * runs at about 20x real time here; this one is some 10x faster, ample for synthetic speech.
 */
export function resampleSpeech(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples.slice();
  const g = greatestCommonDivisor(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const phases = polyphaseTaps(fromRate, toRate, up);
  const taps = 2 * RESAMPLE_HALF_TAPS;
  const output = new Float32Array(Math.round((samples.length * up) / down));
  for (let n = 0; n < output.length; n++) {
    const position = n * down; // in units of 1/up input samples
    const i0 = Math.floor(position / up);
    const base = (position - i0 * up) * taps;
    const first = i0 - RESAMPLE_HALF_TAPS + 1;
    let acc = 0;
    const kFrom = Math.max(0, -first);
    const kTo = Math.min(taps, samples.length - first);
    for (let k = kFrom; k < kTo; k++) acc += phases[base + k] * samples[first + k];
    output[n] = acc;
  }
  return output;
}

const polyphaseCache = new Map<string, Float64Array>();

/** Filter taps for each of the `up` output phases, at p*taps + k for input sample i0 - HALF_TAPS + 1 + k. */
function polyphaseTaps(fromRate: number, toRate: number, up: number): Float64Array {
  const key = `${fromRate}:${toRate}`;
  const cached = polyphaseCache.get(key);
  if (cached) return cached;
  // Cutoff in cycles per input sample: below both Nyquists, with room for the transition band.
  const cutoff = (0.9 * 0.5 * Math.min(fromRate, toRate)) / fromRate;
  const taps = 2 * RESAMPLE_HALF_TAPS;
  const phases = new Float64Array(up * taps);
  const windowNorm = besselI0(KAISER_BETA);
  for (let p = 0; p < up; p++) {
    for (let k = 0; k < taps; k++) {
      const t = k - RESAMPLE_HALF_TAPS + 1 - p / up; // input sample time relative to the output sample's
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = t / RESAMPLE_HALF_TAPS;
      const window = Math.abs(w) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - w * w)) / windowNorm;
      phases[p * taps + k] = 2 * cutoff * sinc * window;
    }
  }
  polyphaseCache.set(key, phases);
  return phases;
}

const fftPlans = new Map<number, ComplexFft>();

function fftOf(size: number): ComplexFft {
  let plan = fftPlans.get(size);
  if (!plan) fftPlans.set(size, (plan = new ComplexFft(size)));
  return plan;
}

/**
 * Convolution with a fixed kernel (FFT-based): returns a function giving the linear convolution of a
 * signal with `kernel`, cut to the signal's length. The kernel's spectrum is kept per FFT size, as a
 * session's clips share one room.
 */
export function convolver(kernel: Float32Array): (signal: Float32Array) => Float32Array {
  const spectra = new Map<number, [Float64Array, Float64Array]>();
  return (signal) => {
    let size = 1;
    while (size < signal.length + kernel.length - 1) size *= 2;
    const fft = fftOf(size);
    let spectrum = spectra.get(size);
    if (!spectrum) {
      spectrum = [new Float64Array(size), new Float64Array(size)];
      spectrum[0].set(kernel);
      fft.transform(...spectrum);
      spectra.set(size, spectrum);
    }
    const [kRe, kIm] = spectrum;
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    re.set(signal);
    fft.transform(re, im);
    // Multiply the spectra and conjugate, so a second forward FFT computes the (conjugated) inverse.
    for (let k = 0; k < size; k++) {
      const productRe = re[k] * kRe[k] - im[k] * kIm[k];
      const productIm = re[k] * kIm[k] + im[k] * kRe[k];
      re[k] = productRe;
      im[k] = -productIm;
    }
    fft.transform(re, im);
    const output = new Float32Array(signal.length);
    for (let i = 0; i < output.length; i++) output[i] = re[i] / size;
    return output;
  };
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: Random): number {
  const u = 1 - random(); // (0, 1]: keeps log finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A synthetic room impulse response: the direct sound, then Gaussian noise decaying exponentially so it
 * falls by 60 dB in `rt60` seconds, starting after a short pre-delay; `directToReverb` (dB) sets the
 * energy of the direct sound over that of the tail. Length is 1.2·rt60 (the tail is ~70 dB down there).
 */
export function roomImpulseResponse(random: Random, sampleRate: number, rt60: number, directToReverb: number): Float32Array {
  const length = Math.max(2, Math.round(1.2 * rt60 * sampleRate));
  const preDelay = Math.round(0.004 * sampleRate);
  const ir = new Float32Array(length);
  const decayPerSample = Math.log(1000) / (rt60 * sampleRate); // amplitude 1/1000 = -60 dB at rt60
  let tailEnergy = 0;
  for (let i = preDelay; i < length; i++) {
    ir[i] = gaussian(random) * Math.exp(-decayPerSample * (i - preDelay));
    tailEnergy += ir[i] * ir[i];
  }
  const tailGain = Math.sqrt(10 ** (-directToReverb / 10) / tailEnergy);
  for (let i = preDelay; i < length; i++) ir[i] *= tailGain;
  ir[0] = 1;
  return ir;
}

/**
 * Unit-power coloured noise: white noise through a one-pole low-pass with coefficient `color` (0 = white;
 * towards 1 = ever darker, like room hum or traffic). Uniform draws suffice: it is heard, not analysed.
 */
export function coloredNoise(random: Random, length: number, color: number): Float32Array {
  const noise = new Float32Array(length);
  let state = 0;
  for (let i = 0; i < length; i++) {
    state = color * state + (1 - color) * (2 * random() - 1);
    noise[i] = state;
  }
  return scaleToRms(noise, 1);
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}

export function peak(samples: Float32Array): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i]));
  return max;
}

/** Scales in place to the given RMS (silence stays silent); returns the same array. */
function scaleToRms(samples: Float32Array, target: number): Float32Array {
  const level = rms(samples);
  if (level > 0) for (let i = 0; i < samples.length; i++) samples[i] *= target / level;
  return samples;
}

/** `speech` plus `noise` scaled so that speech power over noise power is `snrDb`. A new array. */
export function addNoise(speech: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  const gain = rms(speech) / (rms(noise) * 10 ** (snrDb / 20));
  return speech.map((x, i) => x + gain * noise[i]);
}
