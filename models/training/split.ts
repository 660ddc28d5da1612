// The speaker split shared by the training recipe, the validation script and the shipped-model test:
// a fixed, hash-ordered subset of each corpus's speakers is never trained on.
import { createHash } from "node:crypto";

/** The corpora under ../shared/datasets that train the default model. */
export const CORPORA = ["speech-commands", "librispeech-cohort"] as const;
export type Corpus = (typeof CORPORA)[number];

/** Held-out speakers per corpus (~10 % of speech-commands' 177 and librispeech-cohort's 251). */
export const HELD_OUT_PER_CORPUS = 20;

/** The held-out speakers of one corpus: the first HELD_OUT_PER_CORPUS by SHA-256 of the speaker id. */
export function heldOutSpeakers(speakers: Iterable<string>): Set<string> {
  const digest = (s: string) => createHash("sha256").update(s).digest("hex");
  const ranked = [...new Set(speakers)].map((s) => [digest(s), s] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return new Set(ranked.slice(0, HELD_OUT_PER_CORPUS).map(([, s]) => s));
}
