import { type ESpeakArgs } from "./synth/espeak.ts";
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
export type DemoCondition = {
    kind: "noise";
    snrDb: number;
    noiseColor: number;
} | {
    kind: "reverb";
    rt60: number;
    directToReverbDb: number;
    snrDb: number;
    noiseColor: number;
};
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
/** The whole dataset as data: names, voices, sentences, conditions. Pure; `generateDemoDataset` renders it. */
export declare function planDemoDataset(options?: Omit<DemoDatasetOptions, "outDir" | "onProgress">): DemoSpeaker[];
/** One SSML document with all of a speaker's utterances, each at its own rate, separated by long breaks. */
export declare function speakerSsml(speaker: DemoSpeaker): string;
/**
 * Writes the demo dataset to `outDir` (see the file comment). Resumable: each file is written under a
 * temporary name and renamed; a rerun skips the clips already there, and `trials.txt` comes last.
 */
export declare function generateDemoDataset(options?: DemoDatasetOptions): Promise<DemoDatasetSummary>;
