import type { FeatureMatrix } from "./matrix.ts";
import { type MelBank } from "./mel.ts";
/**
 * SpeechBrain's triangular mel bank: filter i is centred on hz[i+1] and is SYMMETRIC with half-width
 * hz[i+1] - hz[i] (its left spacing), over the 201 bins of linspace(0, 8000, 201).
 */
export declare function speechbrainMelBank(): MelBank;
/** SpeechBrain fbank [T,80] of 16 kHz samples in [-1, 1): T = 1 + floor(N / 160). */
export declare function computeSpeechbrainFbank(samples: Float32Array): FeatureMatrix;
