// FLAC decoding through @wasm-audio-decoders/flac (libFLAC compiled to WASM), checked against the
// file's own STREAMINFO block so that a truncated or corrupt file is an error, not short audio.
import { FLACDecoder, type FLACDecodedAudio } from "@wasm-audio-decoders/flac";
import { VoxlabError } from "../errors.ts";
import { mixToMono, type DecodedAudio } from "./channels.ts";

/** The fields of the mandatory first metadata block that the decoder's output is checked against. */
interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Samples per channel; 0 when the encoder did not know it. */
  totalSamples: number;
}

const STREAMINFO_TYPE = 0;
const STREAMINFO_LENGTH = 34;

/** Reads STREAMINFO, which the format requires to be the first metadata block after "fLaC". */
function readFlacStreamInfo(bytes: Uint8Array, name: string): FlacStreamInfo {
  const header = 4; // "fLaC"
  const body = header + 4;
  if (bytes.length < body + STREAMINFO_LENGTH) throw new VoxlabError(`${name}: truncated FLAC header (${bytes.length} bytes)`);
  const type = bytes[header] & 0x7f;
  const length = (bytes[header + 1] << 16) | (bytes[header + 2] << 8) | bytes[header + 3];
  if (type !== STREAMINFO_TYPE || length !== STREAMINFO_LENGTH) {
    throw new VoxlabError(`${name}: corrupt FLAC: the first metadata block is not STREAMINFO`);
  }
  // Bit layout after the block/frame size fields (10 bytes): rate 20 bits, channels-1 3, bits-1 5, total 36.
  const b = (i: number): number => bytes[body + i];
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 0x07) + 1;
  const bitsPerSample = (((b(12) & 0x01) << 4) | (b(13) >> 4)) + 1;
  const totalSamples = (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + ((b(15) << 16) | (b(16) << 8) | b(17));
  if (sampleRate === 0) throw new VoxlabError(`${name}: FLAC header says the sample rate is 0 Hz`);
  return { sampleRate, channels, bitsPerSample, totalSamples };
}

/**
 * The decoder scales a b-bit sample k by 1/(2^(b-1)-1); VoxLab's convention is k/2^(b-1) (int16/32768).
 * Recovering k by rounding is exact up to 24 bits, the float32 precision.
 */
function rescaleToPowerOfTwo(plane: Float32Array, bitsPerSample: number): void {
  const full = 2 ** (bitsPerSample - 1);
  for (let i = 0; i < plane.length; i++) plane[i] = Math.round(plane[i] * (full - 1)) / full;
}

const TRAILING_PADDING = 16;

function withTrailingPadding(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array(bytes.length + TRAILING_PADDING);
  padded.set(bytes);
  return padded;
}

/** Decodes a native FLAC stream ("fLaC" magic) and mixes it down to mono. */
export async function decodeFlac(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = readFlacStreamInfo(bytes, name);
  const decoder = new FLACDecoder();
  let decoded: FLACDecodedAudio;
  try {
    await decoder.ready;
    // The decoder's parser drops a stream's last frame unless some bytes follow it (seen on LibriSpeech
    // files that `flac -t` accepts); zero padding is no frame sync, so it only lets that frame through.
    decoded = await decoder.decodeFile(withTrailingPadding(bytes));
  } finally {
    decoder.free();
  }
  const firstError = decoded.errors[0];
  if (firstError) throw new VoxlabError(`${name}: corrupt FLAC: ${firstError.message.replace(/\s+/g, " ")}`);
  if (decoded.samplesDecoded === 0) throw new VoxlabError(`${name}: corrupt FLAC: no audio frames could be decoded`);
  if (info.totalSamples > 0 && decoded.samplesDecoded !== info.totalSamples) {
    throw new VoxlabError(
      `${name}: truncated or corrupt FLAC: decoded ${decoded.samplesDecoded} of the ${info.totalSamples} samples its header declares`,
    );
  }
  for (const plane of decoded.channelData) rescaleToPowerOfTwo(plane, decoded.bitDepth);
  return { sampleRate: decoded.sampleRate, samples: mixToMono(decoded.channelData), channels: decoded.channelData.length };
}
