// The features stage: 16 kHz Float32 samples -> [T,80] filterbank features, for each supported frontend.
import { VoxlabError } from "../core/errors.ts";
import { computeKaldiFbank, KALDI_3DSPEAKER, KALDI_WESPEAKER } from "./kaldi.ts";
import { subtractTimeMeanInPlace, type FeatureMatrix } from "./matrix.ts";
import { computeSpeechbrainFbank } from "./speechbrain.ts";

export { computeKaldiFbank, KALDI_3DSPEAKER, KALDI_WESPEAKER, type KaldiFbankOptions, type KaldiWindow } from "./kaldi.ts";
export { subtractTimeMean, type FeatureMatrix } from "./matrix.ts";
export { computeSpeechbrainFbank } from "./speechbrain.ts";

export const FRONTEND_NAMES = ["speechbrain", "kaldi-wespeaker", "kaldi-3dspeaker"] as const;
/** Mel bins per frame of every frontend above: a model must take this many. */
export const FRONTEND_BINS = 80;
export type FrontendName = (typeof FRONTEND_NAMES)[number];

export function isFrontendName(name: string): name is FrontendName {
  return (FRONTEND_NAMES as readonly string[]).includes(name);
}

/** Checks a frontend name from a user (a CLI flag, model metadata); `source` names where it came from. */
export function parseFrontendName(name: string, source = "frontend"): FrontendName {
  if (!isFrontendName(name)) {
    throw new VoxlabError(`${source}: unknown frontend "${name}" (expected one of ${FRONTEND_NAMES.join(", ")})`);
  }
  return name;
}

export interface FeatureOptions {
  /** Subtract the per-utterance time mean of each bin (SpeechBrain sentence norm / Kaldi-style CMN). */
  meanNorm: boolean;
  /** Names the input in error messages (a file path). */
  name?: string;
}

/** The [T,80] features of 16 kHz mono samples (in [-1, 1)) through the named frontend. */
export function computeFeatures(samples: Float32Array, frontend: FrontendName, options: FeatureOptions): FeatureMatrix {
  let fbank: FeatureMatrix;
  switch (frontend) {
    case "speechbrain":
      fbank = computeSpeechbrainFbank(samples);
      break;
    case "kaldi-wespeaker":
      fbank = computeKaldiFbank(samples, { ...KALDI_WESPEAKER, name: options.name });
      break;
    case "kaldi-3dspeaker":
      fbank = computeKaldiFbank(samples, { ...KALDI_3DSPEAKER, name: options.name });
      break;
    default:
      throw new VoxlabError(`unknown frontend "${String(frontend)}" (expected one of ${FRONTEND_NAMES.join(", ")})`);
  }
  if (options.meanNorm) subtractTimeMeanInPlace(fbank); // the fbank is ours alone: no copy
  return fbank;
}
