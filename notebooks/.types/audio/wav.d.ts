import { type DecodedAudio } from "./channels.ts";
/**
 * Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit, IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE, any
 * channel count) and mixes it down to mono. `bytes` must start with a RIFF/WAVE header (decodeAudio
 * checks the magic); `name` prefixes every error message.
 */
export declare function decodeWav(bytes: Uint8Array, name: string): DecodedAudio;
