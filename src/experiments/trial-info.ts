// What the report knows of each trial beyond its score: speakers, sessions, durations and audio links.
import { relative, resolve, sep } from "node:path";
import type { DatasetManifest, ManifestEntry } from "../datasets/manifest.ts";
import type { EnrollMap } from "../datasets/trial-lists.ts";
import type { ReportTrial } from "../reports/index.ts";
import { speakerOfPath } from "./paired.ts";

export interface DescribeOptions {
  /** The dataset's manifest: gives durations (and speakers and sessions as scanned). */
  manifest?: DatasetManifest;
  /** CN-Celeb enrollment ids → their utterances. */
  enrollMap?: EnrollMap;
  /** With `reportDir`: link each single-file side's audio relative to the report's folder. */
  wavRoot?: string;
  reportDir?: string;
}

/** A path's speaker and session from VoxLab's `<speaker>/<session>/<file>` layout, when it has it. */
function fromPath(path: string): Partial<ManifestEntry> {
  const parts = path.split("/");
  return parts.length >= 3 ? { speaker: speakerOfPath(path), session: parts[1] } : {};
}

/** The value all utterances of a side agree on, else undefined. */
function common<T>(values: readonly (T | undefined)[]): T | undefined {
  return values.every((v) => v !== undefined && v === values[0]) ? values[0] : undefined;
}

/**
 * Describes the trials for the report: speaker, session and duration (seconds, summed over a multi-utterance
 * enrollment) of each side, from the manifest where it lists the path, else speaker and session from
 * the path alone; and audio paths relative to the report's folder.
 */
export function describeTrials(trials: readonly { enroll: string; test: string }[], options: DescribeOptions = {}): ReportTrial[] {
  const byPath = new Map(options.manifest?.map((e) => [e.path, e]));
  const side = (id: string) => {
    const utterances = options.enrollMap?.get(id) ?? [id];
    const entries = utterances.map((u) => byPath.get(u) ?? fromPath(u));
    const durations = entries.map((e) => e.duration);
    const audio = options.wavRoot !== undefined && options.reportDir !== undefined && utterances.length === 1
      ? relative(resolve(options.reportDir), resolve(options.wavRoot, utterances[0])).split(sep).join("/")
      : undefined;
    return {
      speaker: common(entries.map((e) => e.speaker)),
      session: common(entries.map((e) => e.session)),
      duration: durations.every((d): d is number => d !== undefined) ? durations.reduce((a, b) => a + b, 0) : undefined,
      audio,
    };
  };
  return trials.map((t) => {
    const e = side(t.enroll);
    const s = side(t.test);
    const described: ReportTrial = { enroll: t.enroll, test: t.test };
    const fields: [keyof ReportTrial, string | number | undefined][] = [
      ["enrollSpeaker", e.speaker], ["testSpeaker", s.speaker], ["enrollSession", e.session], ["testSession", s.session],
      ["enrollDuration", e.duration], ["testDuration", s.duration], ["enrollAudio", e.audio], ["testAudio", s.audio],
    ];
    for (const [key, value] of fields) if (value !== undefined) Object.assign(described, { [key]: value });
    return described;
  });
}
