/** What one eSpeak NG run produced: mono samples in [-1, 1) at the synthesiser's own rate (22050 Hz). */
export interface SynthesizedSpeech {
    samples: Float32Array;
    sampleRate: number;
}
/** The settings of one eSpeak NG run (see `espeak-ng --help`). */
export interface ESpeakArgs {
    /** `<language>+<variant>`, e.g. `en-gb+m3`. */
    voice: string;
    /** Base pitch, 0–99 (eSpeak's default 50). */
    pitch: number;
    /** Pitch range, 0–99 (default 50). */
    pitchRange: number;
    /** Words per minute (default 175). */
    speed: number;
    /** SSML text (`<speak>…</speak>`). */
    ssml: string;
}
/** Runs eSpeak NG once on SSML and returns the audio it wrote. */
export declare function synthesize(args: ESpeakArgs): Promise<SynthesizedSpeech>;
