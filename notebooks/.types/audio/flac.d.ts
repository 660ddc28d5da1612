import { type DecodedAudio } from "./channels.ts";
/** Decodes a native FLAC stream ("fLaC" magic) and mixes it down to mono. */
export declare function decodeFlac(bytes: Uint8Array, name: string): Promise<DecodedAudio>;
