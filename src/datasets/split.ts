// Speaker-disjoint halves of a trial list: calibrate (or tune) on one, evaluate on the other.
import { VoxlabError } from "../core/errors.ts";
import { compareText } from "./manifest.ts";
import type { Trial } from "./trial-lists.ts";

export interface SpeakerSplit {
  /** Speakers of the first half (the first ⌈n/2⌉ in sorted order) and of the second. */
  speakers: [string[], string[]];
  /** Trials whose enroll and test speakers are both in that half. */
  trials: [Trial[], Trial[]];
  /** Trials across the halves (non-targets only), dropped so that no speaker is in both. */
  dropped: number;
}

/**
 * Splits trials by speaker: the speakers sorted by name, the first half and the rest; a trial goes to
 * the half holding both its sides' speakers. `speakerOf` maps an utterance id to its speaker.
 */
export function splitTrialsBySpeaker(trials: readonly Trial[], speakerOf: (id: string) => string | undefined): SpeakerSplit {
  const speaker = (id: string): string => {
    const s = speakerOf(id);
    if (s === undefined) throw new VoxlabError(`no speaker known for "${id}"`);
    return s;
  };
  const all = [...new Set(trials.flatMap((t) => [speaker(t.enroll), speaker(t.test)]))].sort(compareText);
  if (all.length < 2) throw new VoxlabError(`splitting by speaker needs at least 2 speakers, the trials have ${all.length}`);
  const first = new Set(all.slice(0, Math.ceil(all.length / 2)));
  const halves: [Trial[], Trial[]] = [[], []];
  let dropped = 0;
  for (const t of trials) {
    const a = first.has(speaker(t.enroll));
    if (a !== first.has(speaker(t.test))) dropped++;
    else halves[a ? 0 : 1].push(t);
  }
  return { speakers: [all.filter((s) => first.has(s)), all.filter((s) => !first.has(s))], trials: halves, dropped };
}
