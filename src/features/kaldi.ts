// Kaldi-compatible fbank with torchaudio.compliance.kaldi.fbank semantics (ANCHORS.md §2) at 16 kHz:
// snip_edges frames of 400 samples every 160, dither 0, per-frame DC removal, pre-emphasis 0.97, a
// povey or (symmetric) hamming window, zero padding to a 512-point FFT, power spectrum, Kaldi mel banks
// (20 Hz .. Nyquist, triangles in 1127*ln(1 + f/700) mel space), natural log floored at float32 epsilon.
import { VoxlabError } from "../core/errors.ts";
import { RealPowerSpectrum } from "./fft.ts";
import type { FeatureMatrix } from "./matrix.ts";
import { applyMelBank, buildMelBank, type MelBank } from "./mel.ts";

const SAMPLE_RATE = 16000;
const FRAME_LENGTH = 400;
const FRAME_SHIFT = 160;
const PADDED_LENGTH = 512;
const N_MELS = 80;
const LOW_FREQ = 20;
const PREEMPHASIS = 0.97;
/** torch.finfo(torch.float32).eps, the floor torchaudio applies before the log. */
const FLOAT32_EPSILON = 1.1920928955078125e-7;

export type KaldiWindow = "povey" | "hamming";

export interface KaldiFbankOptions {
  window: KaldiWindow;
  /** Multiplies the samples first: 32768 turns [-1, 1) floats into int16 units, as WeSpeaker does. */
  scale: number;
  /** Names the input in error messages (a file path). */
  name?: string;
}

/** WeSpeaker's frontend: kaldi.fbank(wav * 32768, hamming window, dither 0). */
export const KALDI_WESPEAKER: KaldiFbankOptions = { window: "hamming", scale: 32768 };
/** 3D-Speaker's frontend: kaldi.fbank(wav) with torchaudio's defaults (povey window), dither 0. */
export const KALDI_3DSPEAKER: KaldiFbankOptions = { window: "povey", scale: 1 };

const kaldiMel = (hz: number): number => 1127 * Math.log(1 + hz / 700);

/** Kaldi's mel bank over the 257 bins of a 512-point FFT; the Nyquist bin gets no weight. */
export function kaldiMelBank(): MelBank {
  const binWidth = SAMPLE_RATE / PADDED_LENGTH;
  const melLow = kaldiMel(LOW_FREQ);
  const melHigh = kaldiMel(SAMPLE_RATE / 2);
  const delta = (melHigh - melLow) / (N_MELS + 1);
  return buildMelBank(N_MELS, PADDED_LENGTH / 2 + 1, (i, k) => {
    if (k === PADDED_LENGTH / 2) return 0;
    const mel = kaldiMel(binWidth * k);
    const left = melLow + i * delta;
    const center = left + delta;
    const right = center + delta;
    const up = (mel - left) / (center - left);
    const down = (right - mel) / (right - center);
    return Math.max(0, Math.min(up, down));
  });
}

/** Kaldi's window functions, symmetric over FRAME_LENGTH samples (divisor N - 1). */
function kaldiWindow(kind: KaldiWindow): Float64Array {
  const a = (2 * Math.PI) / (FRAME_LENGTH - 1);
  return Float64Array.from({ length: FRAME_LENGTH }, (_, n) =>
    kind === "povey" ? (0.5 - 0.5 * Math.cos(a * n)) ** 0.85 : 0.54 - 0.46 * Math.cos(a * n),
  );
}

// Planned once: the FFT and mel bank are the same for both windows.
let spectrum: RealPowerSpectrum | undefined;
let melBank: MelBank | undefined;
const windows = new Map<KaldiWindow, Float64Array>();

function getWindow(kind: KaldiWindow): Float64Array {
  let window = windows.get(kind);
  if (!window) {
    window = kaldiWindow(kind);
    windows.set(kind, window);
  }
  return window;
}

/** Kaldi fbank [T,80], T = 1 + floor((N - 400) / 160); throws a VoxlabError below one 400-sample frame. */
export function computeKaldiFbank(samples: Float32Array, options: KaldiFbankOptions): FeatureMatrix {
  const n = samples.length;
  if (n < FRAME_LENGTH) {
    const source = options.name ? `${options.name}: ` : "";
    throw new VoxlabError(`${source}audio shorter than one 25 ms frame (${n} samples < ${FRAME_LENGTH} at 16 kHz)`);
  }
  const window = getWindow(options.window);
  spectrum ??= new RealPowerSpectrum(PADDED_LENGTH);
  melBank ??= kaldiMelBank();
  const scale = options.scale;
  const frames = 1 + Math.floor((n - FRAME_LENGTH) / FRAME_SHIFT);
  const data = new Float32Array(frames * N_MELS);
  const frame = new Float64Array(PADDED_LENGTH); // [400, 512) stays zero: the FFT padding
  const power = new Float64Array(PADDED_LENGTH / 2 + 1);
  const energies = new Float64Array(N_MELS);
  for (let t = 0; t < frames; t++) {
    const first = t * FRAME_SHIFT;
    let sum = 0;
    for (let j = 0; j < FRAME_LENGTH; j++) {
      const x = samples[first + j] * scale;
      frame[j] = x;
      sum += x;
    }
    // DC removal, pre-emphasis and window in one backward pass: with y = x - mean, Kaldi's pre-emphasis is
    // y[j] - 0.97 y[j-1] = x[j] - 0.97 x[j-1] - 0.03 mean, and the first sample is emphasised against itself.
    const mean = sum / FRAME_LENGTH;
    const dcResidual = (1 - PREEMPHASIS) * mean;
    for (let j = FRAME_LENGTH - 1; j > 0; j--) frame[j] = (frame[j] - PREEMPHASIS * frame[j - 1] - dcResidual) * window[j];
    frame[0] = (1 - PREEMPHASIS) * (frame[0] - mean) * window[0];
    spectrum.compute(frame, power);
    applyMelBank(melBank, power, energies);
    const row = t * N_MELS;
    for (let i = 0; i < N_MELS; i++) data[row + i] = Math.log(Math.max(energies[i], FLOAT32_EPSILON));
  }
  return { frames, bins: N_MELS, data };
}
