import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeFlacOnNewInstance, flacInstancesSetUp } from "../../src/audio/flac.ts";
import { decodeAudio, loadAudio } from "../../src/audio/decode.ts";
import { VoxlabError } from "../../src/core/errors.ts";
import { decodeOutcome, flacLayout, withoutLibflacLog, type DecodeOutcome } from "../helpers/fuzz.ts";
import { dataset, fixture, needShared } from "../helpers/shared.ts";

// ---- A WAV writer for the tests (independent of the decoder: it only writes) ----

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** One chunk: id, size (the real length unless `claimedSize` says otherwise), body, pad byte when odd. */
function chunk(id: string, body: number[], claimedSize = body.length): number[] {
  return [...ascii(id), ...u32(claimedSize), ...body, ...(body.length % 2 ? [0] : [])];
}

interface FmtFields {
  tag: number;
  channels: number;
  sampleRate?: number;
  bits: number;
  blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this sub-format code (the standard GUID tail follows it). */
  extensibleSubFormat?: number;
}

const GUID_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fmtChunk(f: FmtFields): number[] {
  const sampleRate = f.sampleRate ?? 16000;
  const blockAlign = f.blockAlign ?? (f.channels * f.bits) / 8;
  const base = [...u16(f.tag), ...u16(f.channels), ...u32(sampleRate), ...u32(sampleRate * blockAlign), ...u16(blockAlign), ...u16(f.bits)];
  if (f.extensibleSubFormat === undefined) return chunk("fmt ", base);
  const ext = [...u16(22), ...u16(f.bits), ...u32(0), ...u32(f.extensibleSubFormat), ...GUID_TAIL];
  return chunk("fmt ", [...base, ...ext]);
}

function riffWave(...chunks: number[][]): Uint8Array {
  const body = [...ascii("WAVE"), ...chunks.flat()];
  return Uint8Array.from([...ascii("RIFF"), ...u32(body.length), ...body]);
}

const int16le = (values: number[]): number[] => values.flatMap((v) => u16(v & 0xffff));
const int24le = (values: number[]): number[] => values.flatMap((v) => u32(v).slice(0, 3));
const int32le = (values: number[]): number[] => values.flatMap((v) => u32(v >>> 0));
function floatle(values: number[], bits: 32 | 64): number[] {
  const view = new DataView(new ArrayBuffer((values.length * bits) / 8));
  values.forEach((v, i) => (bits === 32 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
  return Array.from(new Uint8Array(view.buffer));
}

const expectSamples = (actual: Float32Array, expected: number[]): void =>
  assert.deepEqual(Array.from(actual), expected.map(Math.fround));

// ---- Sample formats ----

test("16-bit PCM decodes to int16/32768", async () => {
  const ints = [0, 1, -1, 32767, -32768, 12345];
  const wav = riffWave(fmtChunk({ tag: 1, channels: 1, bits: 16, sampleRate: 22050 }), chunk("data", int16le(ints)));
  const audio = await decodeAudio(wav, "t16.wav");
  assert.equal(audio.sampleRate, 22050);
  assert.equal(audio.channels, 1);
  expectSamples(audio.samples, [0, 1 / 32768, -1 / 32768, 32767 / 32768, -1, 12345 / 32768]);
});

test("24-bit PCM decodes to int24/2^23, sign-extended", async () => {
  const ints = [0, 1, -1, 8388607, -8388608, 1234567, -7654321];
  const wav = riffWave(fmtChunk({ tag: 1, channels: 1, bits: 24 }), chunk("data", int24le(ints)));
  expectSamples((await decodeAudio(wav, "t24.wav")).samples, ints.map((v) => v / 8388608));
});

test("32-bit PCM decodes to int32/2^31", async () => {
  const ints = [0, 1, -1, 2147483647, -2147483648, 123456789];
  const wav = riffWave(fmtChunk({ tag: 1, channels: 1, bits: 32 }), chunk("data", int32le(ints)));
  expectSamples((await decodeAudio(wav, "t32.wav")).samples, ints.map((v) => v / 2147483648));
});

test("8-bit PCM is unsigned: (u-128)/128", async () => {
  const wav = riffWave(fmtChunk({ tag: 1, channels: 1, bits: 8 }), chunk("data", [0, 128, 255, 1, 200]));
  expectSamples((await decodeAudio(wav, "t8.wav")).samples, [-1, 0, 0.9921875, -0.9921875, 0.5625]);
});

test("IEEE float 32 and 64 decode to their values", async () => {
  const values = [0, 0.5, -0.25, 1, -1, 0.1, 1 / 3];
  for (const bits of [32, 64] as const) {
    const wav = riffWave(fmtChunk({ tag: 3, channels: 1, bits }), chunk("data", floatle(values, bits)));
    expectSamples((await decodeAudio(wav, `f${bits}.wav`)).samples, values);
  }
});

test("WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats", async () => {
  const pcm = riffWave(fmtChunk({ tag: 0xfffe, channels: 1, bits: 16, extensibleSubFormat: 1 }), chunk("data", int16le([100, -200])));
  expectSamples((await decodeAudio(pcm, "ext-pcm.wav")).samples, [100 / 32768, -200 / 32768]);
  const flt = riffWave(fmtChunk({ tag: 0xfffe, channels: 1, bits: 32, extensibleSubFormat: 3 }), chunk("data", floatle([0.75, -0.125], 32)));
  expectSamples((await decodeAudio(flt, "ext-float.wav")).samples, [0.75, -0.125]);
});

test("stereo and 3-channel files are averaged to mono", async () => {
  const left = [1000, -2000, 32767, 7];
  const right = [3000, 2000, -32768, 8];
  const interleaved = left.flatMap((l, i) => [l, right[i]]);
  const stereo = riffWave(fmtChunk({ tag: 1, channels: 2, bits: 16 }), chunk("data", int16le(interleaved)));
  const audio = await decodeAudio(stereo, "stereo.wav");
  assert.equal(audio.channels, 2);
  expectSamples(audio.samples, [2000 / 32768, 0, -0.5 / 32768, 7.5 / 32768]);

  const three = riffWave(fmtChunk({ tag: 3, channels: 3, bits: 32 }), chunk("data", floatle([0.3, 0.6, -0.3, 1, 1, 1], 32)));
  const mixed = await decodeAudio(three, "three.wav");
  assert.equal(mixed.channels, 3);
  const f = Math.fround;
  expectSamples(mixed.samples, [(f(0.3) + f(0.6) + f(-0.3)) / 3, 1]);
});

test("odd-sized chunks are padded; unknown chunks are skipped", async () => {
  const wav = riffWave(
    chunk("LIST", [1, 2, 3]),
    fmtChunk({ tag: 1, channels: 1, bits: 8 }),
    chunk("junk", [9]),
    chunk("data", [128, 192, 64]), // odd data, then its pad byte, then a trailing chunk
    chunk("id3 ", [1, 2, 3, 4]),
  );
  expectSamples((await decodeAudio(wav, "odd.wav")).samples, [0, 0.5, -0.5]);
});

test("a streaming writer's data size 0xFFFFFFFF means 'to the end'; a partial last frame is dropped", async () => {
  const wav = riffWave(fmtChunk({ tag: 1, channels: 1, bits: 16 }), [...ascii("data"), ...u32(0xffffffff), ...int16le([16384, -16384]), 7]);
  expectSamples((await decodeAudio(wav, "stream.wav")).samples, [0.5, -0.5]);
});

test("trailing bytes after the data chunk do not matter", async () => {
  const wav = riffWave(fmtChunk({ tag: 1, channels: 1, bits: 16 }), chunk("data", int16le([8192])), [...ascii("LIST"), ...u32(5000), 1]);
  expectSamples((await decodeAudio(wav, "tail.wav")).samples, [0.25]);
});

// ---- Real files ----

/** Reads the int16 samples of a canonical PCM16 WAV by locating its data chunk directly. */
function rawInt16Samples(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  while (String.fromCharCode(...bytes.subarray(pos, pos + 4)) !== "data") pos += 8 + view.getUint32(pos + 4, true);
  const size = view.getUint32(pos + 4, true);
  return new Int16Array(bytes.slice(pos + 8, pos + 8 + size).buffer);
}

test("fixture WAVs decode to exactly int16/32768", { skip: needShared }, async () => {
  const names = readdirSync(fixture("audio")).filter((n) => n.endsWith(".wav"));
  assert.ok(names.length >= 6);
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(fixture("audio", name)));
    const audio = await decodeAudio(bytes, name);
    const raw = rawInt16Samples(bytes);
    assert.equal(audio.sampleRate, 16000, name);
    assert.equal(audio.samples.length, raw.length, name);
    for (let i = 0; i < raw.length; i++) {
      if (audio.samples[i] !== raw[i] / 32768) assert.fail(`${name}[${i}]: ${audio.samples[i]} != ${raw[i]}/32768`);
    }
  }
  // Lengths stated in the fixtures' README.
  assert.equal((await loadAudio(fixture("audio", "libri-3s.wav"))).length, 51237);
  assert.equal((await loadAudio(fixture("audio", "short-0.25s.wav"))).length, 4000);
});

/** STREAMINFO's rate, channels, bits and total samples, read straight from the header bits. */
function flacHeader(bytes: Uint8Array): { rate: number; channels: number; bits: number; total: number } {
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), "fLaC");
  let bits = 0n;
  for (const b of bytes.subarray(18, 26)) bits = (bits << 8n) | BigInt(b); // 64 bits: rate|channels|bps|total
  return {
    rate: Number(bits >> 44n),
    channels: Number((bits >> 41n) & 7n) + 1,
    bits: Number((bits >> 36n) & 31n) + 1,
    total: Number(bits & 0xfffffffffn),
  };
}

test("Speech Commands FLAC decodes to 16 kHz with the sample count its STREAMINFO declares", { skip: needShared }, async () => {
  const root = dataset("speech-commands", "wav");
  const speaker = readdirSync(root)[0];
  const word = readdirSync(join(root, speaker))[0];
  for (const file of readdirSync(join(root, speaker, word)).slice(0, 2)) {
    const path = join(root, speaker, word, file);
    const bytes = new Uint8Array(readFileSync(path));
    const header = flacHeader(bytes);
    assert.equal(header.bits, 16);
    const audio = await decodeAudio(bytes, path);
    assert.equal(audio.sampleRate, 16000);
    assert.equal(audio.channels, header.channels);
    assert.ok(header.total > 0);
    assert.equal(audio.samples.length, header.total);
    // int16/32768 like the WAV path (the decoder's own scale is 1/32767).
    let peak = 0;
    for (const v of audio.samples) {
      if (!Number.isInteger(v * 32768)) assert.fail(`${path}: ${v} is not an int16/32768`);
      peak = Math.max(peak, Math.abs(v));
    }
    assert.ok(peak > 0.01 && peak <= 1, `${path}: peak ${peak}`);
    assert.deepEqual(await loadAudio(path), audio.samples); // already 16 kHz: no resampling
  }
});

// 64 frames of 24-bit stereo at 22050 Hz, encoded by the reference libFLAC 1.4.2
// (`flac --no-padding --no-seektable`) from L[i] = (i·1234567 mod 2^24) - 2^23, R[i] = ((i·7654321 + 99) mod 2^24) - 2^23.
const FLAC_24BIT_STEREO = Buffer.from(
  "ZkxhQwAAACIQABAAAAGIAAGIBWIjcAAAAEBPO3au0tQtuP0L8YGxyde5hAAAKCAAAAByZWZlcmVuY2UgbGliRkxBQyAxLjQuMiAy" +
    "MDIyMTAyMgAAAAD/+GYcAD97EoAAAELZa0Oy1odlrQ7LWh2WtDstaHZa0Oy1odlrQ7LWh2WtDstaHZa0OAWlLxy1odlrQ7LWh2Wt" +
    "DstaHZa0Oy1odlrQ7LWh2WtDstaHZa0Oy1ocAtKXjlrQ7LWh2WtDstaHZa0Oy1odlrQ7LWh2WtDstaHZa0Oy1ocAtKXjlrQ7LWh2" +
    "WtDstaHZa0Oy1odlrQ7LWh2WtDstaHZa0Oy1odlrQ4BaUvHLWh2WtDstaHZa0Oy1odlrQ7LWh2WtDgKAAGP0zBRpl8XeY3ZTLyfH" +
    "+tg8xomxkjomXeubKZwP9U2EwP75jK9uWGDjJBFX78LMu3NBhyS2UtUrHoaf6jcUteiJgZn+TUpzGPvn5KxcsF3RfA5GR7+7E3Av" +
    "3yGkqtIZdoOOQjQDDeV32ZbspUdhcPjWPKlLCFq/1As0n7ypa20eNx6TAs8HzoB8mjHxZeJmMZPa/URPyPXElKY5YFeuLAgi97mX" +
    "w2oMjxuBWsz2Jn1q8i7fvd9UiZDJVUE+IPLvow==",
  "base64",
);

test("24-bit stereo FLAC decodes to the known samples (int24/2^23, averaged)", async () => {
  const bytes = new Uint8Array(FLAC_24BIT_STEREO);
  assert.deepEqual(flacHeader(bytes), { rate: 22050, channels: 2, bits: 24, total: 64 });
  const audio = await decodeAudio(bytes, "s24.flac");
  assert.equal(audio.sampleRate, 22050);
  assert.equal(audio.channels, 2);
  const expected = Array.from({ length: 64 }, (_, i) => {
    const left = ((i * 1234567) % 16777216) - 8388608;
    const right = ((i * 7654321 + 99) % 16777216) - 8388608;
    return (left + right) / 2 / 8388608;
  });
  expectSamples(audio.samples, expected);
});

// ---- Bad input: one-line VoxlabErrors that name the file and the problem ----

async function rejectsWith(bytes: Uint8Array, name: string, problem: RegExp): Promise<void> {
  await assert.rejects(decodeAudio(bytes, name), (err: unknown) => {
    assert.ok(err instanceof VoxlabError, `not a VoxlabError: ${String(err)}`);
    assert.ok(err.message.startsWith(`${name}: `), err.message);
    assert.ok(!err.message.includes("\n"), err.message);
    assert.match(err.message, problem);
    return true;
  });
}

const pcm16 = fmtChunk({ tag: 1, channels: 1, bits: 16 });
const twoSamples = chunk("data", int16le([1, 2]));

test("bad WAV headers", async () => {
  await rejectsWith(new Uint8Array(0), "empty.wav", /empty file/);
  await rejectsWith(Uint8Array.from(ascii("RIFF\x10\0\0")), "cut.wav", /truncated WAV header/);
  await rejectsWith(riffWave(pcm16).subarray(0, 30), "cut-fmt.wav", /truncated WAV: 'fmt ' chunk claims 16 bytes but only 10 follow/);
  await rejectsWith(riffWave(pcm16), "nodata.wav", /no 'data' chunk/);
  await rejectsWith(riffWave(chunk("data", int16le([1]))), "nofmt.wav", /no 'fmt ' chunk/);
  await rejectsWith(riffWave(chunk("fmt ", [1, 0, 1, 0])), "short-fmt.wav", /fmt chunk too short/);
  await rejectsWith(Uint8Array.from([...ascii("RIFF"), ...u32(4), ...ascii("AVI ")]), "movie.avi", /RIFF file but not WAVE/);
});

test("a data chunk claiming more bytes than the file has is an error, not a huge allocation", async () => {
  await rejectsWith(riffWave(pcm16, chunk("data", int16le([1, 2, 3]), 1000)), "short.wav", /truncated WAV: data chunk claims 1000 bytes but only 6 follow/);
  await rejectsWith(riffWave(pcm16, chunk("data", [], 0xfffffff0)), "huge.wav", /data chunk claims 4294967280 bytes but only 0 follow/);
  await rejectsWith(riffWave(pcm16, chunk("data", [])), "nosamples.wav", /holds no samples/);
});

test("unsupported codecs are named", async () => {
  const cases: [number, RegExp][] = [
    [0x0006, /unsupported WAV codec A-law \(format tag 0x0006\)/],
    [0x0007, /mu-law \(format tag 0x0007\)/],
    [0x0002, /Microsoft ADPCM \(format tag 0x0002\)/],
    [0x0011, /IMA ADPCM \(format tag 0x0011\)/],
    [0x1234, /unsupported WAV codec format tag 0x1234/],
  ];
  for (const [tag, problem] of cases) {
    await rejectsWith(riffWave(fmtChunk({ tag, channels: 1, bits: 8 }), twoSamples), `codec-${tag}.wav`, problem);
  }
  const extAlaw = fmtChunk({ tag: 0xfffe, channels: 1, bits: 8, extensibleSubFormat: 6 });
  await rejectsWith(riffWave(extAlaw, twoSamples), "ext-alaw.wav", /A-law/);
  const extOdd = fmtChunk({ tag: 0xfffe, channels: 1, bits: 16, extensibleSubFormat: 0x12345678 });
  await rejectsWith(riffWave(extOdd, twoSamples), "ext-guid.wav", /unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID 78563412/);
  await rejectsWith(riffWave(chunk("fmt ", [...u16(0xfffe), ...Array(16).fill(1)]), twoSamples), "ext-short.wav", /EXTENSIBLE fmt chunk too short/);
  await rejectsWith(riffWave(fmtChunk({ tag: 1, channels: 1, bits: 12, blockAlign: 2 }), twoSamples), "b12.wav", /12-bit integer PCM/);
  await rejectsWith(riffWave(fmtChunk({ tag: 3, channels: 1, bits: 16 }), twoSamples), "f16.wav", /16-bit float/);
});

test("impossible WAV fields", async () => {
  await rejectsWith(riffWave(fmtChunk({ tag: 1, channels: 0, bits: 16, blockAlign: 2 }), twoSamples), "ch0.wav", /0 channels/);
  await rejectsWith(riffWave(fmtChunk({ tag: 1, channels: 1, bits: 16, sampleRate: 0 }), twoSamples), "sr0.wav", /sample rate is 0 Hz/);
  await rejectsWith(riffWave(fmtChunk({ tag: 1, channels: 2, bits: 16, blockAlign: 2 }), twoSamples), "align.wav", /block align 2 does not match 2 channel/);
});

test("files that are not WAV or FLAC", async () => {
  let seed = 12345;
  const random = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  await rejectsWith(random, "noise.bin", /not a WAV or FLAC file \(it starts with bytes [0-9a-f ]{11}\)/);
  await rejectsWith(Uint8Array.from([1, 2]), "tiny.bin", /not a WAV or FLAC file/);
  await rejectsWith(Uint8Array.from(ascii("OggS\0\x02")), "a.ogg", /Ogg files are not supported/);
  await rejectsWith(Uint8Array.from(ascii("ID3\x04\0")), "a.mp3", /MP3 files are not supported/);
  await rejectsWith(Uint8Array.from(ascii("RF64....WAVE")), "big.wav", /RF64/);
  // The extension says WAV but the bytes are FLAC: the bytes win.
  const audio = await decodeAudio(new Uint8Array(FLAC_24BIT_STEREO), "actually-flac.wav");
  assert.equal(audio.samples.length, 64);
});

test("broken FLAC files", async () => {
  const good = new Uint8Array(FLAC_24BIT_STEREO);
  await rejectsWith(good.subarray(0, 20), "cut.flac", /truncated FLAC header/);
  await rejectsWith(good.subarray(0, 42), "header-only.flac", /corrupt FLAC: no audio frames could be decoded/);
  const noStreamInfo = good.slice();
  noStreamInfo[4] = 4; // block type VORBIS_COMMENT where STREAMINFO must be
  await rejectsWith(noStreamInfo, "nostreaminfo.flac", /first metadata block is not STREAMINFO/);
});

test("a truncated real FLAC is an error, not short audio", { skip: needShared }, async () => {
  const root = dataset("speech-commands", "wav");
  const speaker = readdirSync(root)[0];
  const word = readdirSync(join(root, speaker))[0];
  const file = readdirSync(join(root, speaker, word))[0];
  const bytes = new Uint8Array(readFileSync(join(root, speaker, word, file)));
  await rejectsWith(bytes.subarray(0, bytes.length >> 1), "half.flac", /truncated or corrupt FLAC: decoded \d+ of the 16000 samples/);
  const scrambled = bytes.slice();
  for (let i = 5000; i < 5040; i++) scrambled[i] ^= 0x5a; // damage one frame in the middle
  await rejectsWith(scrambled, "scrambled.flac", /corrupt FLAC/);
});

// ---- FLAC decoder reuse: one libFLAC instance per thread, results as with a new one per file ----

/** The first `count` FLAC files of a dataset, in path order. */
function flacPaths(name: string, count: number): string[] {
  const root = dataset(name, "wav");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".flac"));
  return files.sort().slice(0, count).map((f) => join(root, f));
}

const concatBytes = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

function damaged(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const out = bytes.slice();
  for (let i = from; i < to; i++) out[i] ^= 0x5a;
  return out;
}

/**
 * STREAMINFO (16 kHz, 16-bit mono, 4096 samples) and one CONSTANT frame whose header leaves the bits
 * per sample to STREAMINFO, CRCs valid: `flac -t` accepts it, but the WASM decoder never hands
 * STREAMINFO to libFLAC, which reports an error on the frame (a libFLAC error, unlike the cut files).
 */
const FLAC_BITS_FROM_STREAMINFO = Buffer.from("ZkxhQ4AAACIQABAAAAAMAAAMA+gA8AAAEAAAAAAAAAAAAAAAAAAAAAAA//jFAADHADA5pfo=", "base64");

/** Real files, and broken ones made from them, each broken one followed by a good one. */
function reuseCases(): { goodPaths: string[]; cases: [string, Uint8Array][] } {
  const goodPaths = [
    ...flacPaths("speech-commands", 6),
    ...flacPaths("librispeech-cohort", 2),
    // Both end in a frame the parser only lets through with the padding after it.
    dataset("speech-commands", "wav", "0c540988", "off", "00001.flac"),
    dataset("librispeech-cohort", "wav", "3235", "11599", "3235-11599-0000.flac"),
  ];
  const good = goodPaths.map((path): [string, Uint8Array] => [path, new Uint8Array(readFileSync(path))]);
  const base = good[0][1];
  const long = good[6][1];
  const { framesStart } = flacLayout(base);
  let seed = 7;
  const noise = Uint8Array.from({ length: 300 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  const broken: [string, Uint8Array][] = [
    ["half.flac", base.subarray(0, base.length >> 1)],
    ["last-frame-cut.flac", base.subarray(0, base.length - 40)],
    ["frame-damaged.flac", damaged(base, 5000, 5040)],
    ["first-frame-damaged.flac", damaged(base, framesStart + 2, framesStart + 40)],
    ["first-frames-lost.flac", concatBytes(base.subarray(0, framesStart), base.subarray(framesStart + 9000))],
    ["middle-lost.flac", concatBytes(long.subarray(0, 30000), long.subarray(90000))],
    ["junk-after-end.flac", concatBytes(base, noise)],
    ["header-only.flac", base.subarray(0, framesStart)],
    ["bits-from-streaminfo.flac", new Uint8Array(FLAC_BITS_FROM_STREAMINFO)],
  ];
  const cases = broken.flatMap((b, i) => [b, good[i % good.length]]);
  return { goodPaths, cases: [...good, ...cases] };
}

/** The one-shot decode (a new libFLAC instance per file) of every case, in order. */
async function referenceOutcomes(cases: [string, Uint8Array][]): Promise<DecodeOutcome[]> {
  const outcomes: DecodeOutcome[] = [];
  for (const [name, bytes] of cases) outcomes.push(await decodeOutcome(() => decodeFlacOnNewInstance(bytes, name)));
  return outcomes;
}

test("FLAC: the thread's reused libFLAC instance decodes bit for bit like a new one per file, also after broken files", { skip: needShared }, async () => {
  const { goodPaths, cases } = reuseCases();
  const reference = await withoutLibflacLog(() => referenceOutcomes(cases));
  const accepted = reference.filter((r) => !("error" in r)).length;
  assert.ok(accepted >= 10 && reference.length - accepted >= 8, `${accepted} of ${reference.length} accepted`);
  await decodeAudio(cases[0][1], "warm-up.flac");
  let setUpsBefore = flacInstancesSetUp();
  for (const [i, [name, bytes]] of cases.slice(0, goodPaths.length).entries()) {
    assert.deepEqual(await decodeOutcome(() => decodeAudio(bytes, name)), reference[i], name);
  }
  assert.equal(flacInstancesSetUp() - setUpsBefore, 0, "good files back to back reuse one instance");
  setUpsBefore = flacInstancesSetUp();
  await withoutLibflacLog(async () => {
    for (const [i, [name, bytes]] of cases.entries()) assert.deepEqual(await decodeOutcome(() => decodeAudio(bytes, name)), reference[i], name);
  });
  // Some broken files went to the one-shot path (two set-ups each), so both paths were compared above.
  assert.ok(flacInstancesSetUp() - setUpsBefore >= 2, `${flacInstancesSetUp() - setUpsBefore} set-ups`);
});

test("FLAC: concurrent decodes (Promise.all) take turns on the thread's one instance and give the one-shot results", { skip: needShared }, async () => {
  const { goodPaths, cases } = reuseCases();
  const reference = await withoutLibflacLog(() => referenceOutcomes(cases));
  await decodeAudio(cases[0][1], "warm-up.flac");
  const setUpsBefore = flacInstancesSetUp();
  const good = cases.slice(0, goodPaths.length);
  const decoded = await Promise.all(good.map(([name, bytes]) => decodeOutcome(() => decodeAudio(bytes, name))));
  assert.equal(flacInstancesSetUp() - setUpsBefore, 0, "the decodes queue for the one instance");
  assert.deepEqual(decoded, reference.slice(0, good.length));
  // loadAudio, as the pipeline calls it over a window of files (these are 16 kHz already: no resampling).
  const loaded = await Promise.all(goodPaths.map((path) => loadAudio(path)));
  for (const [i, samples] of loaded.entries()) {
    const expected = reference[i];
    assert.ok(!("error" in expected), goodPaths[i]);
    assert.deepEqual(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength), expected.samples, goodPaths[i]);
  }
  // Broken files among them: none leaves the instance in a state that shows in another's result.
  const together = await withoutLibflacLog(() => Promise.all(cases.map(([name, bytes]) => decodeOutcome(() => decodeAudio(bytes, name)))));
  assert.deepEqual(together, reference);
});

test("loadAudio: a missing file or a directory is a one-line error naming the path", async () => {
  const dir = mkdtempSync(join(tmpdir(), "voxlab-audio-"));
  const missing = join(dir, "nope.wav");
  await assert.rejects(loadAudio(missing), (err: unknown) => err instanceof VoxlabError && err.message === `${missing}: file not found`);
  await assert.rejects(loadAudio(dir), (err: unknown) => err instanceof VoxlabError && err.message.startsWith(`${dir}: is a directory`));
  const garbage = join(dir, "garbage.wav");
  writeFileSync(garbage, "hello, not audio");
  await assert.rejects(loadAudio(garbage), (err: unknown) => err instanceof VoxlabError && err.message.startsWith(`${garbage}: not a WAV or FLAC file`));
  const tenHertz = join(dir, "10hz.wav");
  writeFileSync(tenHertz, riffWave(fmtChunk({ tag: 1, channels: 1, bits: 16, sampleRate: 10 }), twoSamples));
  await assert.rejects(loadAudio(tenHertz), (err: unknown) => err instanceof VoxlabError && err.message.startsWith(`${tenHertz}: cannot resample from 10 Hz`));
});
