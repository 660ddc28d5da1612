// WAV (RIFF/WAVE) decoding: a pure function over the file's bytes.
//
// Policy on sizes: every chunk size a header claims is checked against the bytes that really follow
// before anything is read or allocated. A data chunk that claims more bytes than the file holds is a
// truncated file and an error (never padded, never read past). The one exception is a data size of
// 0xFFFFFFFF, which streaming writers put there to mean "unknown length": the data then runs to the
// end of the file. A trailing partial frame is dropped. The RIFF size field is not trusted (streaming
// writers leave it wrong either way): chunks are walked over the bytes the file really has.
import { printable, VoxlabError } from "../core/errors.ts";
import { checkFrames, checkSampleRate, DEFAULT_AUDIO_BUDGET, type AudioBudget } from "./budget.ts";
import { mixToMono, type DecodedAudio } from "./channels.ts";

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Format tags people meet in the wild, so an unsupported one is named in the error. */
const CODEC_NAMES: Readonly<Record<number, string>> = {
  0x0002: "Microsoft ADPCM",
  0x0006: "A-law",
  0x0007: "mu-law",
  0x0011: "IMA ADPCM",
  0x0031: "GSM 6.10",
  0x0050: "MPEG audio",
  0x0055: "MP3",
  0x0161: "WMA",
};

/** The 12 bytes after the format code in every KSDATAFORMAT_SUBTYPE_* GUID of WAVE_FORMAT_EXTENSIBLE. */
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** A data size that means "to the end of the file" (written by streaming encoders). */
const UNKNOWN_DATA_SIZE = 0xffffffff;

type SampleReader = (bytes: Uint8Array, view: DataView, offset: number) => number;

const readPcm8: SampleReader = (bytes, _view, offset) => (bytes[offset] - 128) / 128;
const readPcm16: SampleReader = (_bytes, view, offset) => view.getInt16(offset, true) / 32768;
const readPcm24: SampleReader = (bytes, _view, offset) =>
  // The top byte is sign-extended by the << 24 >> 8 pair.
  (bytes[offset] | (bytes[offset + 1] << 8) | ((bytes[offset + 2] << 24) >> 8)) / 8388608;
const readPcm32: SampleReader = (_bytes, view, offset) => view.getInt32(offset, true) / 2147483648;
const readFloat32: SampleReader = (_bytes, view, offset) => view.getFloat32(offset, true);
const readFloat64: SampleReader = (_bytes, view, offset) => view.getFloat64(offset, true);

interface WavFormat {
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bytesPerSample: number;
  read: SampleReader;
}

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

/** The first frame holding a NaN or infinite sample (in any channel) as [frame, channel], or undefined. */
function firstNonFinite(planes: Float32Array[]): [number, number] | undefined {
  let found: [number, number] | undefined;
  planes.forEach((plane, c) => {
    const end = found ? found[0] : plane.length;
    for (let f = 0; f < end; f++) {
      if (!Number.isFinite(plane[f])) {
        found = [f, c];
        break;
      }
    }
  });
  return found;
}

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, "0")}`;
}

function codecName(tag: number): string {
  const known = CODEC_NAMES[tag];
  return known ? `${known} (format tag ${hex(tag, 4)})` : `format tag ${hex(tag, 4)}`;
}

function sampleReader(tag: number, bits: number): SampleReader | undefined {
  if (tag === FORMAT_PCM) {
    return { 8: readPcm8, 16: readPcm16, 24: readPcm24, 32: readPcm32 }[bits];
  }
  return { 32: readFloat32, 64: readFloat64 }[bits];
}

/** The format code of a WAVE_FORMAT_EXTENSIBLE sub-format GUID (16 bytes at `offset`). */
function extensibleSubFormat(bytes: Uint8Array, view: DataView, offset: number, fail: (p: string) => VoxlabError): number {
  const code = view.getUint32(offset, true);
  const tailMatches = SUBFORMAT_GUID_TAIL.every((b, i) => bytes[offset + 4 + i] === b);
  if (!tailMatches || code > 0xffff) {
    const guid = Array.from(bytes.subarray(offset, offset + 16), (b) => b.toString(16).padStart(2, "0")).join("");
    throw fail(`unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID ${guid}`);
  }
  return code;
}

function parseFmt(bytes: Uint8Array, view: DataView, body: number, size: number, fail: (p: string) => VoxlabError): WavFormat {
  if (size < 16) throw fail(`WAV fmt chunk too short (${size} bytes, need 16)`);
  let tag = view.getUint16(body, true);
  const channels = view.getUint16(body + 2, true);
  const sampleRate = view.getUint32(body + 4, true);
  const blockAlign = view.getUint16(body + 12, true);
  const bits = view.getUint16(body + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) throw fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk too short (${size} bytes, need 40)`);
    tag = extensibleSubFormat(bytes, view, body + 24, fail);
  }
  if (tag !== FORMAT_PCM && tag !== FORMAT_IEEE_FLOAT) {
    throw fail(`unsupported WAV codec ${codecName(tag)}; only PCM and IEEE float WAV are read`);
  }
  if (channels === 0) throw fail("WAV header says the file has 0 channels");
  if (sampleRate === 0) throw fail("WAV header says the sample rate is 0 Hz");
  const read = sampleReader(tag, bits);
  if (!read) {
    const kind = tag === FORMAT_PCM ? "integer PCM (8, 16, 24 and 32 are read)" : "float (32 and 64 are read)";
    throw fail(`unsupported WAV sample format: ${bits}-bit ${kind}`);
  }
  const bytesPerSample = bits / 8;
  if (blockAlign !== channels * bytesPerSample) {
    throw fail(`WAV block align ${blockAlign} does not match ${channels} channel(s) of ${bits}-bit samples`);
  }
  return { channels, sampleRate, blockAlign, bytesPerSample, read };
}

/**
 * Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit, IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE, any
 * channel count) and mixes it down to mono. `bytes` must start with a RIFF/WAVE header (decodeAudio
 * checks the magic); `name` prefixes every error message. Audio over `budget` is refused before its samples
 * are allocated.
 */
export function decodeWav(bytes: Uint8Array, name: string, budget: AudioBudget = DEFAULT_AUDIO_BUDGET): DecodedAudio {
  const fail = (problem: string): VoxlabError => new VoxlabError(`${name}: ${problem}`);
  if (bytes.length < 12) throw fail(`truncated WAV header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let format: WavFormat | undefined;
  let data: { offset: number; size: number } | undefined;
  let pos = 12;
  while (pos + 8 <= bytes.length && !(format && data)) {
    const id = fourcc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    const remaining = bytes.length - body;
    if (id === "data") {
      if (size === UNKNOWN_DATA_SIZE) data = { offset: body, size: remaining };
      else if (size > remaining) {
        throw fail(`truncated WAV: data chunk claims ${size} bytes but only ${remaining} follow`);
      } else data = { offset: body, size };
    } else if (size > remaining) {
      throw fail(`truncated WAV: '${printable(id)}' chunk claims ${size} bytes but only ${remaining} follow`);
    } else if (id === "fmt ") {
      format = parseFmt(bytes, view, body, size, fail);
    }
    pos = body + size + (size & 1); // chunks are padded to an even length
  }
  if (!format) throw fail("not a valid WAV file: no 'fmt ' chunk");
  if (!data) throw fail("not a valid WAV file: no 'data' chunk");

  const frames = Math.floor(data.size / format.blockAlign);
  if (frames === 0) throw fail("WAV data chunk holds no samples");
  const { channels, blockAlign, bytesPerSample, read } = format;
  checkSampleRate(name, format.sampleRate);
  checkFrames(name, frames, channels, format.sampleRate, budget);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let c = 0; c < channels; c++) {
    const plane = planes[c];
    let offset = data.offset + c * bytesPerSample;
    for (let f = 0; f < frames; f++, offset += blockAlign) plane[f] = read(bytes, view, offset);
  }
  // Float WAV can hold NaN/Inf (or float64 beyond float32 range): refused, never passed on as audio.
  const bad = firstNonFinite(planes);
  if (bad) {
    const [frame, channel] = bad;
    const where = channels > 1 ? `sample ${frame} of channel ${channel + 1}` : `sample ${frame}`;
    throw fail(`${where} is ${planes[channel][frame]} (at ${(frame / format.sampleRate).toFixed(3)} s); VoxLab needs finite samples`);
  }
  return { sampleRate: format.sampleRate, samples: mixToMono(planes), channels };
}
