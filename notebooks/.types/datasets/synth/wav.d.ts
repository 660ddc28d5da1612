/** Float samples in [-1, 1] to a mono 16-bit PCM WAV file; rounds to nearest and clips. */
export declare function encodeWavPcm16(samples: Float32Array, sampleRate: number): Uint8Array;
