/** What a WAV or FLAC header says about the audio it holds. */
export interface AudioHeader {
    format: "wav" | "flac";
    sampleRate: number;
    channels: number;
    /** Samples per channel. */
    frames: number;
    /** frames / sampleRate, in seconds. */
    duration: number;
}
/** Reads the header of a WAV or FLAC file (recognised by its magic bytes, not its extension). */
export declare function readAudioHeader(path: string): Promise<AudioHeader>;
