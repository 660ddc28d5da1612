import { VoxlabError } from "../core/errors.ts";
import { mulberry32, type Random } from "../core/random.ts";
import { quantile, type BootstrapOptions } from "./bootstrap.ts";
import { groupTrials, regroup, type Labels, type TrialGroups } from "./trials.ts";

/** Two systems' scores on the same trials (same order), and the speakers on each side of every trial. */
export interface PairedTrials {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  labels: Labels;
  enrollSpeakers: ArrayLike<string>;
  testSpeakers: ArrayLike<string>;
}

export interface PairedBootstrapOptions extends BootstrapOptions {
  /** Called every 50 resamples and at the end, with resamples done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** A metric of system B minus the same metric of system A, with its bootstrap interval. */
export interface PairedDifference {
  a: number;
  b: number;
  /** b - a on the original trials. */
  difference: number;
  lower: number;
  upper: number;
  confidence: number;
  iterations: number;
  /** Speakers resampled (clusters). */
  speakers: number;
}

/** One system's trials indexed by score group, so a resample's counts scatter into the groups in O(n). */
interface IndexedScores {
  groups: TrialGroups;
  groupOf: Uint32Array;
}

function indexScores(scores: ArrayLike<number>, labels: Labels, source: string): IndexedScores {
  const groups = groupTrials(scores, labels, source);
  const groupOf = new Uint32Array(scores.length);
  // groups.scores is ascending and holds every score: a binary search finds each trial's group.
  for (let i = 0; i < scores.length; i++) {
    let lo = 0;
    let hi = groups.scores.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (groups.scores[mid] < scores[i]) lo = mid + 1;
      else hi = mid;
    }
    groupOf[i] = lo;
  }
  return { groups, groupOf };
}

/** Speaker names as dense integer ids, enroll and test sides sharing one numbering. */
function speakerIds(enroll: ArrayLike<string>, test: ArrayLike<string>): { enroll: Uint32Array; test: Uint32Array; count: number } {
  const ids = new Map<string, number>();
  const idOf = (name: string): number => {
    let id = ids.get(name);
    if (id === undefined) ids.set(name, (id = ids.size));
    return id;
  };
  const enrollIds = Uint32Array.from({ length: enroll.length }, (_, i) => idOf(enroll[i]));
  const testIds = Uint32Array.from({ length: test.length }, (_, i) => idOf(test[i]));
  return { enroll: enrollIds, test: testIds, count: ids.size };
}

/** How many times each of `count` speakers is drawn in `count` draws with replacement. */
function drawSpeakers(count: number, random: Random, out: Uint32Array): void {
  out.fill(0);
  for (let k = 0; k < count; k++) out[(random() * count) >>> 0]++;
}

/**
 * Percentile intervals of metric(B) − metric(A) from a paired two-way speaker ("pigeonhole") bootstrap.
 * Each resample draws as many speakers as there are, with replacement; speaker s drawn w_s times stands
 * for w_s copies of itself, so a trial between speakers e ≠ t appears w_e·w_t times and a trial within
 * one speaker w_s times (its enrollment and test sides are the same copy). Both systems' trials get the
 * same counts (paired), so what the speakers share cancels out of the difference. Resampling speakers
 * instead of trials keeps the dependence of trials that share a speaker: a trial-level bootstrap
 * treats them as independent and gives intervals too narrow when speakers differ. A resample left
 * without targets or without non-targets is drawn again. `metrics` computes every metric of one set of
 * trials at once (so they can share work) and returns the same keys each time. O(iterations · n).
 */
export function pairedSpeakerBootstrap<K extends string>(
  trials: PairedTrials,
  metrics: (groups: TrialGroups) => Readonly<Record<K, number>>,
  { iterations = 1000, confidence = 0.95, seed = 0, onProgress }: PairedBootstrapOptions = {},
): Record<K, PairedDifference> {
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const n = trials.labels.length;
  if (trials.a.length !== n || trials.b.length !== n || trials.enrollSpeakers.length !== n || trials.testSpeakers.length !== n) {
    throw new VoxlabError(`paired bootstrap: ${trials.a.length} and ${trials.b.length} scores, ${n} labels, ${trials.enrollSpeakers.length} and ${trials.testSpeakers.length} speakers; they must match`);
  }
  const systems = [indexScores(trials.a, trials.labels, "system A"), indexScores(trials.b, trials.labels, "system B")];
  const speakers = speakerIds(trials.enrollSpeakers, trials.testSpeakers);
  if (speakers.count < 2) throw new VoxlabError(`paired bootstrap: the trials name ${speakers.count} speaker; resampling speakers needs at least 2`);
  const isTarget = Uint8Array.from({ length: n }, (_, i) => (trials.labels[i] === 1 || trials.labels[i] === true ? 1 : 0));

  const original = systems.map(({ groups }) => metrics(groups));
  const keys = Object.keys(original[0]) as K[];
  const values = keys.map(() => new Float64Array(iterations));
  const drawn = new Uint32Array(speakers.count);
  const weight = new Uint32Array(n);
  const counts = systems.map(({ groups }) => ({ targets: new Uint32Array(groups.scores.length), nontargets: new Uint32Array(groups.scores.length) }));
  const random = mulberry32(seed);
  const maxDraws = 20 * iterations;
  for (let it = 0, draws = 0; it < iterations; ) {
    if (++draws > maxDraws) {
      throw new VoxlabError(`paired bootstrap: ${maxDraws} speaker resamples gave only ${it} with both target and non-target trials; too few speakers`);
    }
    drawSpeakers(speakers.count, random, drawn);
    let targets = 0;
    let nontargets = 0;
    for (let i = 0; i < n; i++) {
      const e = speakers.enroll[i];
      const t = speakers.test[i];
      weight[i] = e === t ? drawn[e] : drawn[e] * drawn[t];
      if (isTarget[i]) targets += weight[i];
      else nontargets += weight[i];
    }
    if (targets === 0 || nontargets === 0) continue;
    const resampled = systems.map(({ groups, groupOf }, s) => {
      const { targets: tar, nontargets: non } = counts[s];
      tar.fill(0);
      non.fill(0);
      for (let i = 0; i < n; i++) (isTarget[i] ? tar : non)[groupOf[i]] += weight[i];
      return regroup(groups, tar, non);
    });
    const [ofA, ofB] = resampled.map(metrics);
    keys.forEach((key, k) => {
      values[k][it] = ofB[key] - ofA[key];
    });
    it++;
    if (it % 50 === 0 || it === iterations) onProgress?.(it, iterations);
  }
  const tail = (1 - confidence) / 2;
  const result = {} as Record<K, PairedDifference>;
  keys.forEach((key, k) => {
    const sorted = values[k].sort();
    const [a, b] = [original[0][key], original[1][key]];
    result[key] = { a, b, difference: b - a, lower: quantile(sorted, tail), upper: quantile(sorted, 1 - tail), confidence, iterations, speakers: speakers.count };
  });
  return result;
}

/**
 * The interval in words, for metrics where lower is better: which system is better when the interval
 * excludes 0, else that the difference is not significant.
 */
export function pairedVerdict(d: Pick<PairedDifference, "lower" | "upper">, nameA = "A", nameB = "B"): string {
  if (d.upper < 0) return `${nameB} is better than ${nameA}: the interval excludes 0`;
  if (d.lower > 0) return `${nameA} is better than ${nameB}: the interval excludes 0`;
  return "no significant difference: the interval contains 0";
}
