/** Audio as a decoder hands it over: mixed down to one channel, at the file's own sample rate. */
export interface DecodedAudio {
    /** The file's sample rate in Hz. */
    sampleRate: number;
    /** Mono samples; integer PCM is scaled by 2^(bits-1) (int16/32768), so it lies in [-1, 1). */
    samples: Float32Array;
    /** How many channels the file had before the mix-down. */
    channels: number;
}
/** Averages planar channels into one (a mono input is returned as is, not copied). */
export declare function mixToMono(planes: readonly Float32Array[]): Float32Array;
