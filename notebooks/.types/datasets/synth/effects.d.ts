import type { Random } from "../random.ts";
/**
 * Spans [start, end) of sound, where sound is any sample above `silence` in magnitude and spans are
 * separated by at least `minGap` quieter samples (shorter pauses stay inside a span).
 */
export declare function soundSpans(samples: Float32Array, silence: number, minGap: number): Array<[number, number]>;
/**
 * Rational-ratio resampling by a polyphase Kaiser-windowed sinc (64 taps, cutoff 0.9 of the lower Nyquist,
 * about 70 dB stopband). src/audio's libsamplerate path is the quality reference for real recordings but
 * runs at about 20x real time here; this one is some 10x faster, ample for synthetic speech.
 */
export declare function resampleSpeech(samples: Float32Array, fromRate: number, toRate: number): Float32Array;
/**
 * Convolution with a fixed kernel (FFT-based): returns a function giving the linear convolution of a
 * signal with `kernel`, cut to the signal's length. The kernel's spectrum is kept per FFT size, as a
 * session's clips share one room.
 */
export declare function convolver(kernel: Float32Array): (signal: Float32Array) => Float32Array;
/**
 * A synthetic room impulse response: the direct sound, then Gaussian noise decaying exponentially so it
 * falls by 60 dB in `rt60` seconds, starting after a short pre-delay; `directToReverb` (dB) sets the
 * energy of the direct sound over that of the tail. Length is 1.2·rt60 (the tail is ~70 dB down there).
 */
export declare function roomImpulseResponse(random: Random, sampleRate: number, rt60: number, directToReverb: number): Float32Array;
/**
 * Unit-power coloured noise: white noise through a one-pole low-pass with coefficient `color` (0 = white;
 * towards 1 = ever darker, like room hum or traffic). Uniform draws suffice: it is heard, not analysed.
 */
export declare function coloredNoise(random: Random, length: number, color: number): Float32Array;
export declare function peak(samples: Float32Array): number;
/** `speech` plus `noise` scaled so that speech power over noise power is `snrDb`. A new array. */
export declare function addNoise(speech: Float32Array, noise: Float32Array, snrDb: number): Float32Array;
