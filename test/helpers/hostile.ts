// Hostile inputs built by hand from the format specifications (not by VoxLab's code): a FLAC "bomb" whose
// frames each declare 65,535 constant samples, and helpers to watch a server process's memory.
import { readFileSync } from "node:fs";

/** CRC-8 (polynomial x^8 + x^2 + x + 1, initial 0), FLAC's frame-header checksum. */
function crc8(bytes: number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** CRC-16 (polynomial x^16 + x^15 + x^2 + 1, initial 0), FLAC's whole-frame checksum. */
function crc16(bytes: number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** FLAC's "UTF-8" coding of a frame number (up to 31 bits). */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)];
  if (n < 0x10000) return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
  return [0xf0 | (n >> 18), 0x80 | ((n >> 12) & 0x3f), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
}

/**
 * A valid FLAC stream of `frames` frames, each one CONSTANT mono 16-bit subframe of `blockSize` samples of
 * `value` at 16 kHz: about 12 bytes a frame, so 1,000 frames of 65,535 samples (68 minutes) fit in 12 KB.
 * STREAMINFO declares `declaredTotal` samples (0: unknown, as a streaming encoder writes).
 */
export function flacBomb(frames: number, blockSize = 65_535, declaredTotal = 0, value = 1000): Uint8Array {
  const out: number[] = [0x66, 0x4c, 0x61, 0x43]; // "fLaC"
  out.push(0x80, 0x00, 0x00, 0x22); // last metadata block, STREAMINFO, 34 bytes
  out.push(blockSize >> 8, blockSize & 0xff, blockSize >> 8, blockSize & 0xff); // min/max block size
  out.push(0, 0, 0, 0, 0, 0); // min/max frame size unknown
  const rate = 16_000;
  // rate (20 bits), channels-1 (3), bits-1 (5), total samples (36)
  const total = BigInt(declaredTotal);
  const packed = (BigInt(rate) << 44n) | (0n << 41n) | (15n << 36n) | total;
  for (let shift = 56n; shift >= 0n; shift -= 8n) out.push(Number((packed >> shift) & 0xffn));
  for (let i = 0; i < 16; i++) out.push(0); // MD5 unknown
  for (let n = 0; n < frames; n++) {
    // Fixed-blocksize sync, block size from a 16-bit field (code 7), 16 kHz (code 5), mono, 16 bits.
    const header = [0xff, 0xf8, 0x75, 0x08, ...utf8Number(n), (blockSize - 1) >> 8, (blockSize - 1) & 0xff];
    header.push(crc8(header));
    const frame = [...header, 0x00, (value >> 8) & 0xff, value & 0xff]; // CONSTANT subframe
    const crc = crc16(frame);
    out.push(...frame, crc >> 8, crc & 0xff);
  }
  return Uint8Array.from(out);
}

/** A process's peak resident set (VmHWM) in MiB, from /proc; undefined once it has exited. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
