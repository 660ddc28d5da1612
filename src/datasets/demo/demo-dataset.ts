// The demo dataset: a VoxCeleb-style tree of synthetic speakers, made offline with eSpeak NG, so VoxLab
// runs end to end on a fresh machine. Each speaker is one fixed eSpeak voice (accent, variant, pitch, pitch
// range, speed); sessions differ by sentences, speaking rate and recording condition (background noise, or
// a reverberant room). Everything is drawn from one seed: the same options give byte-identical files.
import { access, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { VoxlabError } from "../../core/errors.ts";
import { ensureDir, writeFileAtomic } from "../../core/fs.ts";
import { readAudioHeader } from "../../audio/header.ts";
import { generateTrials } from "../generate-trials.ts";
import type { DatasetManifest } from "../manifest.ts";
import { mulberry32, randomInt, shuffleInPlace, type Random } from "../../core/random.ts";
import { writeTrials } from "../trial-lists.ts";
import {
  addNoise,
  coloredNoise,
  convolver,
  peak,
  resampleSpeech,
  roomImpulseResponse,
  soundSpans,
} from "./effects.ts";
import { synthesize, type ESpeakArgs } from "./espeak.ts";
import { DEMO_SENTENCES } from "./sentences.ts";
import { encodeWavPcm16 } from "../../audio/encode-wav.ts";

export interface DemoDatasetOptions {
  /** Default `datasets/demo`. */
  outDir?: string;
  /** uint32; default 1. */
  seed?: number;
  /** Default 16. */
  speakers?: number;
  /** Default 3 (at least 2, so that target trials can cross sessions). */
  sessionsPerSpeaker?: number;
  /** Default 4. */
  utterancesPerSession?: number;
  /** Called after each utterance is written or found complete. */
  onProgress?: (done: number, total: number) => void;
}

/** One speaker's fixed voice: eSpeak NG settings. */
export type DemoVoice = Omit<ESpeakArgs, "ssml">;

/** How a session was "recorded". */
export type DemoCondition =
  | { kind: "noise"; snrDb: number; noiseColor: number }
  | { kind: "reverb"; rt60: number; directToReverbDb: number; snrDb: number; noiseColor: number };

export interface DemoUtterance {
  /** Path under the wav root: `<speaker>/<session>/<nnnnn>.wav`. */
  path: string;
  text: string;
  /** SSML speaking rate relative to the voice's speed (1 = as is). */
  rate: number;
}

export interface DemoSession {
  name: string;
  condition: DemoCondition;
  /** Peak level of every clip, dBFS. */
  peakDb: number;
  utterances: DemoUtterance[];
}

export interface DemoSpeaker {
  name: string;
  voice: DemoVoice;
  sessions: DemoSession[];
}

export interface DemoDatasetSummary {
  outDir: string;
  speakers: number;
  sessions: number;
  utterances: number;
  /** Utterances synthesised by this call; the rest were already complete on disk. */
  written: number;
  totalSeconds: number;
  trials: number;
  targetTrials: number;
  trialsPath: string;
}

const SAMPLE_RATE = 16000;
/** Silence the synthesiser leaves between utterances; the cutter splits at pauses longer than SPLIT_GAP. */
const BREAK_SECONDS = 1.5;
const SPLIT_GAP_SECONDS = 0.9;
/** eSpeak's silence is digital zero give or take one LSB. */
const SILENCE_LEVEL = 2.5 / 32768;
/** Room kept before and after the speech of a clip (the tail also holds reverberation). */
const LEAD_SECONDS = 0.25;
const TAIL_SECONDS = 0.35;
/** Share of utterances made of two sentences rather than one (clip lengths then vary, as in real data). */
const TWO_SENTENCE_SHARE = 0.3;
const TARGETS_PER_UTTERANCE = 4;
const PARAMETERS_FILE = "demo.json";
const GENERATOR_VERSION = 1;

/** eSpeak NG accents of English. */
const ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan"] as const;

/**
 * eSpeak NG voice variants that change the voice itself (formants, breathiness, pitch): the numbered male
 * and female ones and most named ones, leaving out whisper, robots, novelty voices and every variant that
 * asks for the Klatt synthesiser (this build has none: klatt*, adam, benjamin, caleb, david, edward, Reed).
 */
const VARIANTS = [
  "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
  "Alex", "Alicia", "Andrea", "Andy", "Annie", "Denis", "Gene", "Jacky", "Lee", "Michael", "Mike", "anika",
  "aunty", "belinda", "ed", "grandma", "grandpa", "ian", "iven", "john", "linda", "max", "michel", "paul",
  "quincy", "rob", "robert", "shelby", "steph", "travis", "victor", "zac",
] as const;

const LIMITS = { speakers: [2, 1000], sessionsPerSpeaker: [2, 20], utterancesPerSession: [1, 100] } as const;

/** Independent PRNG streams for each part of the plan, so that e.g. speaker 3's voice does not depend on the speaker count. */
const STREAM = { variants: 1, speaker: 2, session: 3, signal: 4 } as const;

function streamRandom(seed: number, ...path: number[]): Random {
  let state = seed >>> 0;
  for (const part of path) state = Math.floor(mulberry32((state ^ Math.imul(part + 1, 0x9e3779b1)) >>> 0)() * 2 ** 32);
  return mulberry32(state);
}

const uniform = (random: Random, lo: number, hi: number): number => lo + (hi - lo) * random();
/** Rounded so plans print (and compare) cleanly. */
const round = (value: number, digits: number): number => Number(value.toFixed(digits));

function checkCount(name: keyof typeof LIMITS, value: number): void {
  const [min, max] = LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new VoxlabError(`demo dataset: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function zeroPadded(index: number, count: number, min: number): string {
  return String(index).padStart(Math.max(min, String(count).length), "0");
}

/** The whole dataset as data: names, voices, sentences, conditions. Pure; `generateDemoDataset` renders it. */
export function planDemoDataset(options: Omit<DemoDatasetOptions, "outDir" | "onProgress"> = {}): DemoSpeaker[] {
  const { seed = 1, speakers = 16, sessionsPerSpeaker = 3, utterancesPerSession = 4 } = options;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new VoxlabError(`demo dataset: seed must be an integer from 0 to ${0xffffffff}, got ${seed}`);
  }
  checkCount("speakers", speakers);
  checkCount("sessionsPerSpeaker", sessionsPerSpeaker);
  checkCount("utterancesPerSession", utterancesPerSession);
  const variants = shuffleInPlace(streamRandom(seed, STREAM.variants), [...VARIANTS]);
  return Array.from({ length: speakers }, (_, s): DemoSpeaker => {
    const random = streamRandom(seed, STREAM.speaker, s);
    const voice: DemoVoice = {
      voice: `${ACCENTS[randomInt(random, ACCENTS.length)]}+${variants[s % variants.length]}`,
      pitch: Math.round(uniform(random, 20, 80)),
      pitchRange: Math.round(uniform(random, 25, 85)),
      speed: Math.round(uniform(random, 140, 190)),
    };
    const sentences = shuffleInPlace(random, [...DEMO_SENTENCES]);
    let next = 0;
    const nextSentence = () => sentences[next++ % sentences.length];
    const name = `spk${zeroPadded(s + 1, speakers, 2)}`;
    const sessions = Array.from({ length: sessionsPerSpeaker }, (_, k): DemoSession => {
      const sessionRandom = streamRandom(seed, STREAM.session, s, k);
      const sessionName = `sess${zeroPadded(k + 1, sessionsPerSpeaker, 1)}`;
      const rate = uniform(sessionRandom, 0.88, 1.12);
      const noiseColor = round(uniform(sessionRandom, 0, 0.95), 3);
      const condition: DemoCondition =
        sessionRandom() < 0.5
          ? { kind: "noise", snrDb: round(uniform(sessionRandom, 5, 20), 1), noiseColor }
          : {
              kind: "reverb",
              rt60: round(uniform(sessionRandom, 0.25, 0.8), 3),
              directToReverbDb: round(uniform(sessionRandom, 0, 10), 1),
              snrDb: round(uniform(sessionRandom, 25, 35), 1),
              noiseColor,
            };
      const peakDb = round(uniform(sessionRandom, -9, -1), 1);
      const utterances = Array.from({ length: utterancesPerSession }, (_, u): DemoUtterance => {
        const text = sessionRandom() < TWO_SENTENCE_SHARE ? `${nextSentence()} ${nextSentence()}` : nextSentence();
        const path = `${name}/${sessionName}/${zeroPadded(u + 1, utterancesPerSession, 5)}.wav`;
        return { path, text, rate: round(rate * uniform(sessionRandom, 0.96, 1.04), 3) };
      });
      return { name: sessionName, condition, peakDb, utterances };
    });
    return { name, voice, sessions };
  });
}

const escapeXml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One SSML document with all of a speaker's utterances, each at its own rate, separated by long breaks. */
export function speakerSsml(speaker: DemoSpeaker): string {
  const parts = speaker.sessions.flatMap((session) =>
    session.utterances.map(
      (u) => `<prosody rate="${Math.round(100 * u.rate)}%">${escapeXml(u.text)}</prosody><break time="${1000 * BREAK_SECONDS}ms"/>`,
    ),
  );
  return `<speak>${parts.join("")}</speak>`;
}

/** The session's recording condition applied to a clean 16 kHz clip, then set to the session's peak level. */
function record(clip: Float32Array, session: DemoSession, room: ((clip: Float32Array) => Float32Array) | undefined, random: Random): Float32Array {
  const { condition } = session;
  const reverberant = room ? room(clip) : clip;
  const noisy = addNoise(reverberant, coloredNoise(random, clip.length, condition.noiseColor), condition.snrDb);
  const gain = 10 ** (session.peakDb / 20) / peak(noisy);
  return noisy.map((x) => x * gain);
}

/** All clips of one speaker, in plan order, as WAV bytes: one eSpeak run, cut at the breaks. */
async function renderSpeaker(speaker: DemoSpeaker, seed: number, speakerIndex: number): Promise<Uint8Array[]> {
  const speech = await synthesize({ ...speaker.voice, ssml: speakerSsml(speaker) });
  const rate = speech.sampleRate;
  const spans = soundSpans(speech.samples, SILENCE_LEVEL, Math.round(SPLIT_GAP_SECONDS * rate));
  const expected = speaker.sessions.reduce((n, s) => n + s.utterances.length, 0);
  if (spans.length !== expected) {
    throw new Error(`demo dataset: eSpeak NG output for ${speaker.name} has ${spans.length} utterances, expected ${expected}`);
  }
  const clips: Uint8Array[] = [];
  let index = 0;
  speaker.sessions.forEach((session, k) => {
    const random = streamRandom(seed, STREAM.signal, speakerIndex, k);
    const { condition } = session;
    const room =
      condition.kind === "reverb"
        ? convolver(roomImpulseResponse(random, SAMPLE_RATE, condition.rt60, condition.directToReverbDb))
        : undefined;
    for (let u = 0; u < session.utterances.length; u++) {
      const [start, end] = spans[index++];
      const from = Math.max(0, start - Math.round(LEAD_SECONDS * rate));
      const to = Math.min(speech.samples.length, end + Math.round(TAIL_SECONDS * rate));
      const clean = resampleSpeech(speech.samples.subarray(from, to), rate, SAMPLE_RATE);
      clips.push(encodeWavPcm16(record(clean, session, room, random), SAMPLE_RATE));
    }
  });
  return clips;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Removes temporary files an interrupted run left in a session folder (complete files are never temporary). */
async function removeStaleTemporaries(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => /\.wav\.\d+\.tmp$/.test(n)).map((n) => rm(join(dir, n), { force: true })));
}

/** Records the settings in `<out>/demo.json`; refuses a folder made with other settings (its files would mix). */
async function claimOutDir(outDir: string, parameters: object): Promise<void> {
  const path = join(outDir, PARAMETERS_FILE);
  const text = `${JSON.stringify(parameters, null, 2)}\n`;
  const existing = await readFile(path, "utf8").catch(() => undefined);
  if (existing !== undefined && existing !== text) {
    throw new VoxlabError(`${outDir}: holds a demo dataset made with other settings (see ${PARAMETERS_FILE}); delete it or choose another --out`);
  }
  await ensureDir(outDir, "dataset folder");
  if (existing === undefined) await writeFileAtomic(path, text);
}

function formatCondition(c: DemoCondition): string {
  return c.kind === "noise"
    ? `noise at ${c.snrDb} dB SNR (colour ${c.noiseColor})`
    : `reverberation RT60 ${c.rt60} s, DRR ${c.directToReverbDb} dB, noise at ${c.snrDb} dB SNR`;
}

function readme(plan: DemoSpeaker[], parameters: { seed: number }, summary: { utterances: number; totalSeconds: number; trials: number }): string {
  const voices = plan
    .map((s) => {
      const { voice, pitch, pitchRange, speed } = s.voice;
      const sessions = s.sessions.map((x) => `${x.name}: ${formatCondition(x.condition)}`).join("; ");
      return `| ${s.name} | ${voice} | ${pitch} | ${pitchRange} | ${speed} | ${sessions} |`;
    })
    .join("\n");
  return `# VoxLab demo dataset (synthetic speech)

Made by \`voxlab data demo\` (seed ${parameters.seed}): ${plan.length} speakers, ${plan[0].sessions.length} sessions each,
${summary.utterances} utterances, ${(summary.totalSeconds / 60).toFixed(1)} minutes, ${summary.trials} trials.
It is generated on demand and not kept in git; the same settings always give the same bytes.

**These are not human voices.** Every "speaker" is a setting of the eSpeak NG formant synthesiser (accent,
voice variant, pitch, pitch range, speed), reading English sentences written for VoxLab. Sessions differ by
sentences, speaking rate and a simulated recording condition (coloured background noise at a given SNR, or
an exponentially decaying synthetic room response plus faint noise). The set exercises the VoxLab pipeline
end to end; error rates measured on it say little about performance on real speech.

## Layout

- \`wav/<speaker>/<session>/<utterance>.wav\`: 16 kHz mono 16-bit PCM (VoxCeleb layout)
- \`trials.txt\`: VoxCeleb trial format \`<1|0> <enroll> <test>\`, target pairs always from different sessions
- \`demo.json\`: the settings it was made with

## Licences

- The synthesiser is eSpeak NG (https://github.com/espeak-ng/espeak-ng), run as the WebAssembly build in
  the npm package \`espeak-ng\`; eSpeak NG, its voices and its language data are licensed under the
  GPL-3.0-or-later. VoxLab does not include or modify it; it is installed as a dependency.
- The sentences (src/datasets/demo/sentences.ts) and the processing (noise, reverberation, cutting,
  resampling) are VoxLab's own, under VoxLab's licence.
- The audio files are the output of running the synthesiser on that text. As we understand the GPL (see
  the GPL FAQ on the output of GPL-covered programs), such output is not itself covered by it; we treat the
  generated audio as VoxLab's, under VoxLab's licence. This is not legal advice: check it for your own use.

## Speakers

| speaker | eSpeak voice | pitch | pitch range | speed (wpm) | sessions |
|---|---|---|---|---|---|
${voices}
`;
}

/**
 * Writes the demo dataset to `outDir` (see the file comment). Resumable: each file is written under a
 * temporary name and renamed; a rerun skips the clips already there, and `trials.txt` comes last.
 */
export async function generateDemoDataset(options: DemoDatasetOptions = {}): Promise<DemoDatasetSummary> {
  const { outDir = join("datasets", "demo"), seed = 1, speakers = 16, sessionsPerSpeaker = 3, utterancesPerSession = 4, onProgress } = options;
  const plan = planDemoDataset({ seed, speakers, sessionsPerSpeaker, utterancesPerSession });
  const parameters = { generator: "voxlab data demo", version: GENERATOR_VERSION, seed, speakers, sessionsPerSpeaker, utterancesPerSession };
  await claimOutDir(outDir, parameters);
  const wavRoot = join(outDir, "wav");
  const total = speakers * sessionsPerSpeaker * utterancesPerSession;
  let done = 0;
  let written = 0;

  for (const [s, speaker] of plan.entries()) {
    const utterances = speaker.sessions.flatMap((session) => session.utterances);
    const present = await Promise.all(utterances.map((u) => exists(join(wavRoot, u.path))));
    if (present.every(Boolean)) {
      done += utterances.length;
      onProgress?.(done, total);
      continue;
    }
    for (const session of speaker.sessions) {
      const dir = join(wavRoot, speaker.name, session.name);
      await ensureDir(dir, "dataset folder");
      await removeStaleTemporaries(dir);
    }
    const clips = await renderSpeaker(speaker, seed, s);
    for (const [u, utterance] of utterances.entries()) {
      if (!present[u]) {
        await writeFileAtomic(join(wavRoot, utterance.path), clips[u]);
        written++;
      }
      onProgress?.(++done, total);
    }
  }

  const manifest: DatasetManifest = await Promise.all(
    plan.flatMap((speaker) =>
      speaker.sessions.flatMap((session) =>
        session.utterances.map(async (u) => ({
          path: u.path,
          speaker: speaker.name,
          session: session.name,
          duration: (await readAudioHeader(join(wavRoot, u.path))).duration,
        })),
      ),
    ),
  );
  const trials = generateTrials(manifest, { seed, targetsPerUtterance: TARGETS_PER_UTTERANCE, nontargetRatio: 1, excludeSameSession: true });
  const totalSeconds = manifest.reduce((sum, e) => sum + e.duration, 0);
  await writeFileAtomic(join(outDir, "README.md"), readme(plan, parameters, { utterances: total, totalSeconds, trials: trials.length }));
  const trialsPath = join(outDir, "trials.txt");
  await writeTrials(trialsPath, trials);
  return {
    outDir,
    speakers,
    sessions: speakers * sessionsPerSpeaker,
    utterances: total,
    written,
    totalSeconds,
    trials: trials.length,
    targetTrials: trials.filter((t) => t.label === 1).length,
    trialsPath,
  };
}
