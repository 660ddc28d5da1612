import type { FeatureMatrix } from "./matrix.ts";
import { type MelBank } from "./mel.ts";
export type KaldiWindow = "povey" | "hamming";
export interface KaldiFbankOptions {
    window: KaldiWindow;
    /** Multiplies the samples first: 32768 turns [-1, 1) floats into int16 units, as WeSpeaker does. */
    scale: number;
    /** Names the input in error messages (a file path). */
    name?: string;
}
/** WeSpeaker's frontend: kaldi.fbank(wav * 32768, hamming window, dither 0). */
export declare const KALDI_WESPEAKER: KaldiFbankOptions;
/** 3D-Speaker's frontend: kaldi.fbank(wav) with torchaudio's defaults (povey window), dither 0. */
export declare const KALDI_3DSPEAKER: KaldiFbankOptions;
/** Kaldi's mel bank over the 257 bins of a 512-point FFT; the Nyquist bin gets no weight. */
export declare function kaldiMelBank(): MelBank;
/** Kaldi fbank [T,80], T = 1 + floor((N - 400) / 160); throws a VoxlabError below one 400-sample frame. */
export declare function computeKaldiFbank(samples: Float32Array, options: KaldiFbankOptions): FeatureMatrix;
