// Audio durations from file headers alone (no decoding), so scanning a corpus reads a few KiB per file.
import type { FileHandle } from "node:fs/promises";
import { VoxlabError } from "../core/errors.ts";
import { openRegularFile } from "../core/regular-file.ts";

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

/** Positional reads through one small cached window, so header walks cost one or two syscalls. */
interface ByteSource {
  size: number;
  /** Up to `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Promise<Buffer>;
}

const WINDOW = 4096;
/** A WAV walk that meets more chunks than this before `data` is treated as corrupt. */
const MAX_CHUNKS = 256;

function fileSource(handle: FileHandle, size: number): ByteSource {
  let windowStart = 0;
  let window = Buffer.alloc(0);
  return {
    size,
    async read(position, length) {
      if (position < windowStart || position + length > windowStart + window.length) {
        const want = Math.min(Math.max(length, WINDOW), Math.max(0, size - position));
        const buffer = Buffer.alloc(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        windowStart = position;
        window = buffer.subarray(0, bytesRead);
      }
      const offset = position - windowStart;
      return window.subarray(offset, Math.min(offset + length, window.length));
    },
  };
}

/** Reads the header of a WAV or FLAC file (recognised by its magic bytes, not its extension). */
export async function readAudioHeader(path: string): Promise<AudioHeader> {
  const { handle, size } = await openRegularFile(path);
  try {
    const source = fileSource(handle, size);
    const magic = (await source.read(0, 4)).toString("latin1");
    if (magic === "RIFF") return await readWavHeader(source, path);
    if (magic === "fLaC" || magic.startsWith("ID3")) return await readFlacHeader(source, path);
    if (magic === "RIFX" || magic === "RF64") throw new VoxlabError(`${path}: ${magic} WAV files are not supported`);
    throw new VoxlabError(`${path}: not a WAV or FLAC file (unrecognised header)`);
  } finally {
    await handle.close();
  }
}

async function readWavHeader(source: ByteSource, name: string): Promise<AudioHeader> {
  const riff = await source.read(0, 12);
  if (riff.length < 12 || riff.toString("latin1", 8, 12) !== "WAVE") {
    throw new VoxlabError(`${name}: not a WAV file (RIFF without WAVE)`);
  }
  let fmt: { channels: number; sampleRate: number; blockAlign: number } | undefined;
  let dataBytes: number | undefined;
  let position = 12;
  for (let chunks = 0; chunks < MAX_CHUNKS && position + 8 <= source.size; chunks++) {
    const head = await source.read(position, 8);
    if (head.length < 8) break;
    const id = head.toString("latin1", 0, 4);
    const size = head.readUInt32LE(4);
    const body = position + 8;
    if (id === "fmt ") {
      const fields = await source.read(body, 16);
      if (size < 16 || fields.length < 16) throw new VoxlabError(`${name}: WAV fmt chunk is truncated`);
      fmt = { channels: fields.readUInt16LE(2), sampleRate: fields.readUInt32LE(4), blockAlign: fields.readUInt16LE(12) };
    } else if (id === "data") {
      // Streaming writers leave the size at 0 or 0xFFFFFFFF; the file end bounds the data either way.
      const available = source.size - body;
      dataBytes = size === 0 || size > available ? available : size;
    }
    if (fmt && dataBytes !== undefined) break;
    position = body + size + (size % 2); // chunks are padded to an even length
  }
  if (!fmt) throw new VoxlabError(`${name}: WAV file has no fmt chunk`);
  if (dataBytes === undefined) throw new VoxlabError(`${name}: WAV file has no data chunk`);
  if (fmt.sampleRate === 0 || fmt.blockAlign === 0 || fmt.channels === 0) {
    throw new VoxlabError(`${name}: WAV fmt chunk is invalid (rate ${fmt.sampleRate}, block align ${fmt.blockAlign}, channels ${fmt.channels})`);
  }
  const frames = Math.floor(dataBytes / fmt.blockAlign);
  return { format: "wav", sampleRate: fmt.sampleRate, channels: fmt.channels, frames, duration: frames / fmt.sampleRate };
}

/** Size of an ID3v2 tag that some encoders put before `fLaC` (syncsafe length, optional footer). */
function id3Length(head: Buffer): number {
  if (head.length < 10 || head.toString("latin1", 0, 3) !== "ID3") return 0;
  const size = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

async function readFlacHeader(source: ByteSource, name: string): Promise<AudioHeader> {
  const start = id3Length(await source.read(0, 10));
  // "fLaC", then the first metadata block, which the format requires to be STREAMINFO (34 bytes).
  const head = await source.read(start, 4 + 4 + 34);
  if (head.length < 4 || head.toString("latin1", 0, 4) !== "fLaC") throw new VoxlabError(`${name}: not a FLAC file (no fLaC marker)`);
  if (head.length < 42) throw new VoxlabError(`${name}: FLAC header is truncated`);
  const blockType = head[4] & 0x7f;
  const blockLength = head.readUIntBE(5, 3);
  if (blockType !== 0 || blockLength < 34) throw new VoxlabError(`${name}: FLAC file does not start with a STREAMINFO block`);
  const info = head.subarray(8);
  // Bytes 10..17 pack sample rate (20 bits), channels-1 (3), bits per sample-1 (5), total samples (36).
  const sampleRate = (info[10] << 12) | (info[11] << 4) | (info[12] >> 4);
  const channels = ((info[12] >> 1) & 0x07) + 1;
  const frames = (info[13] & 0x0f) * 2 ** 32 + info.readUInt32BE(14);
  if (sampleRate === 0) throw new VoxlabError(`${name}: FLAC STREAMINFO has sample rate 0`);
  if (frames === 0) throw new VoxlabError(`${name}: FLAC STREAMINFO does not give the total sample count`);
  return { format: "flac", sampleRate, channels, frames, duration: frames / sampleRate };
}
