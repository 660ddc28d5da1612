// Seeded fuzzing of the PyTorch checkpoint reader (zip container and data.pkl pickle), plus the
// targeted "claims a huge size" cases: each must fail fast with a VoxlabError and allocate nothing big.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { unzipSync, zipSync } from "fflate";
import { VoxlabError, type StateDict } from "../../src/index.ts";
import { decodeTorchCheckpoint } from "../../src/models/speechbrain/torch-checkpoint.ts";
import { describeReport, errorContractProblem, fuzz, listFailures, type FuzzSeed, type SizeField } from "../helpers/fuzz.ts";
import { fixture, needShared } from "../helpers/shared.ts";

const CASES = 10_000;
/** Tensors kept from the real checkpoint: the first conv (weight and bias) and its batch norm. */
const KEEP = 4;

interface SmallCheckpoint {
  pkl: Uint8Array;
  storages: Record<string, Uint8Array>;
}

/**
 * The real c256 checkpoint cut down to its first KEEP tensors: data.pkl is cut before the next key's
 * BINUNICODE and closed with SETITEMS + STOP, and only the storages those tensors use are kept.
 */
function smallCheckpoint(): SmallCheckpoint {
  const bytes = readFileSync(fixture("speechbrain-ecapa", "c256", "embedding_model.ckpt"));
  const entries = unzipSync(bytes);
  const full = decodeTorchCheckpoint(bytes, "c256");
  const pklName = Object.keys(entries).find((n) => n.endsWith("/data.pkl"))!;
  const top = pklName.slice(0, -"data.pkl".length);
  const pkl = entries[pklName];
  const nextKey = new TextEncoder().encode([...full.keys()][KEEP]);
  const keyAt = Buffer.from(pkl).indexOf(Buffer.from(nextKey)) - 5; // X, u32 length, then the text
  assert.equal(pkl[keyAt], 0x58, "the next key is a BINUNICODE");
  const storages: Record<string, Uint8Array> = {};
  for (let i = 0; i < KEEP; i++) storages[`archive/data/${i}`] = entries[`${top}data/${i}`];
  return { pkl: Uint8Array.from([...pkl.subarray(0, keyAt), 0x75, 0x2e]), storages };
}

function zipOf(pkl: Uint8Array, storages: Record<string, Uint8Array>, level: 0 | 1): Uint8Array {
  return zipSync({ "archive/data.pkl": pkl, ...storages, "archive/byteorder": new TextEncoder().encode("little") }, { level });
}

/** Header regions and size fields of a zip: local headers, the central directory and its end record. */
function zipLayout(zip: Uint8Array): Pick<FuzzSeed, "hot" | "sizeFields"> {
  const hot: Array<[number, number]> = [];
  const sizeFields: SizeField[] = [];
  const u16 = (at: number) => zip[at] | (zip[at + 1] << 8);
  for (let at = 0; at + 4 <= zip.length; at++) {
    if (zip[at] !== 0x50 || zip[at + 1] !== 0x4b) continue;
    const sig = u16(at + 2);
    if (sig === 0x0403) {
      hot.push([at, at + 30 + u16(at + 26) + u16(at + 28)]);
      sizeFields.push(...[18, 22].map((o) => ({ offset: at + o, width: 4 as const })), ...[26, 28].map((o) => ({ offset: at + o, width: 2 as const })));
    } else if (sig === 0x0201) {
      hot.push([at, at + 46 + u16(at + 28)]);
      sizeFields.push(...[20, 24, 42].map((o) => ({ offset: at + o, width: 4 as const })), ...[28, 30].map((o) => ({ offset: at + o, width: 2 as const })));
    } else if (sig === 0x0605) {
      hot.push([at, zip.length]);
      sizeFields.push(...[8, 10].map((o) => ({ offset: at + o, width: 2 as const })), ...[12, 16].map((o) => ({ offset: at + o, width: 4 as const })));
    }
  }
  return { hot, sizeFields };
}

function checkStateDict(state: StateDict): string | undefined {
  for (const [key, t] of state) {
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) return `${key}: shape ${JSON.stringify(t.shape)}`;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) return `${key}: ${t.data.length} values for shape ${JSON.stringify(t.shape)}`;
  }
  return undefined;
}

test("fuzz: the checkpoint reader returns consistent tensors or a one-line VoxlabError", { skip: needShared, timeout: 180_000 }, async (t) => {
  const small = smallCheckpoint();
  const stored = zipOf(small.pkl, small.storages, 0);
  const deflated = zipOf(small.pkl, small.storages, 1);
  assert.equal(decodeTorchCheckpoint(stored, "small").size, KEEP, "the cut-down seed is itself a valid checkpoint");
  const seeds: FuzzSeed[] = [
    { bytes: stored, ...zipLayout(stored) },
    { bytes: deflated, ...zipLayout(deflated) },
    // data.pkl mutated on its own, then zipped with the real storages: reaches the pickle reader every time.
    { bytes: small.pkl, wrap: (pkl) => zipOf(pkl, small.storages, 0) },
  ];
  const report = await fuzz({ name: "checkpoint", seeds, run: (input) => decodeTorchCheckpoint(input, "fuzz.ckpt"), check: checkStateDict }, { cases: CASES, seed: 20240808 });
  t.diagnostic(describeReport(report));
  assert.ok(report.accepted > 0 && report.distinctErrors > 5, "the mutations reach both the success and the error paths");
  assert.equal(report.failures.length, 0, listFailures(report));
});

/** Pickle bytes from opcodes and their operands (numbers are single bytes; strings are ASCII). */
function pickleBytes(...parts: Array<number | string | Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else if (typeof p === "string") out.push(...Buffer.from(p, "latin1"));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const unicode = (s: string) => pickleBytes(0x58, s.length, 0, 0, 0, s); // BINUNICODE
const long1 = (n: number) => pickleBytes(0x8a, 5, ...Buffer.from(Uint8Array.from([n, n / 2 ** 8, n / 2 ** 16, n / 2 ** 24, n / 2 ** 32].map((b) => Math.floor(b) & 0xff))));

/** A one-tensor state dict pickle: `w` = _rebuild_tensor_v2(storage of `numel` floats, 0, size, stride). */
function oneTensorPickle(numel: Uint8Array, size: Uint8Array, stride: Uint8Array): Uint8Array {
  return pickleBytes(
    0x80, 2, 0x7d, 0x28, unicode("w"),
    "ctorch._utils\n_rebuild_tensor_v2\n",
    0x28, 0x28, unicode("storage"), "ctorch\nFloatStorage\n", unicode("0"), unicode("cpu"), numel, 0x74, 0x51, // storage id, BINPERSID
    0x4b, 0, size, 0x85, stride, 0x85, 0x89, 0x5d, 0x74, 0x52, // offset 0, (size,), (stride,), False, [] -> REDUCE
    0x75, 0x2e, // SETITEMS, STOP
  );
}

function timedRejection(run: () => unknown, pattern: RegExp): void {
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  assert.throws(run, (err) => {
    assert.equal(errorContractProblem(err), undefined);
    assert.ok(err instanceof VoxlabError);
    assert.match(err.message, pattern);
    return true;
  });
  assert.ok(performance.now() - start < 1000, "fast");
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, "no big allocation");
}

test("checkpoint: a pickle claiming a 2^31-element tensor is refused fast, without allocating it", () => {
  const oneFloat = { "archive/data/0": new Uint8Array(4) };
  const one = pickleBytes(0x4b, 1); // BININT1 1
  const valid = zipOf(oneTensorPickle(one, one, one), oneFloat, 0);
  assert.deepEqual([...decodeTorchCheckpoint(valid, "ok.ckpt").keys()], ["w"], "the hand-made pickle is a valid checkpoint");
  // A stride-0 view of 2^31 elements over one float.
  const view = zipOf(oneTensorPickle(one, long1(2 ** 31), pickleBytes(0x4b, 0)), oneFloat, 0);
  timedRejection(() => decodeTorchCheckpoint(view, "view.ckpt"), /view\.ckpt: w: a view of 2147483648 elements over a storage of 1$/);
  // A storage claiming 2^31 floats that the zip holds 4 bytes of.
  const storage = zipOf(oneTensorPickle(long1(2 ** 31), long1(2 ** 31), one), oneFloat, 0);
  timedRejection(() => decodeTorchCheckpoint(storage, "storage.ckpt"), /storage\.ckpt: storage data\/0 of w has 4 bytes, expected 2147483648 x torch\.FloatStorage/);
  // Negative and fractional sizes are refused, not passed to a typed-array constructor.
  const negative = zipOf(oneTensorPickle(one, pickleBytes(0x4a, 0xff, 0xff, 0xff, 0xff), one), oneFloat, 0); // BININT -1
  timedRejection(() => decodeTorchCheckpoint(negative, "negative.ckpt"), /negative\.ckpt: w: tensor size, stride and offset must be whole numbers/);
});

test("checkpoint: a zip entry claiming a huge size is refused fast, without allocating it", () => {
  const zip = zipOf(pickleBytes(0x80, 2, 0x7d, 0x2e), {}, 1).slice();
  const view = new DataView(zip.buffer);
  // The central directory record of archive/data.pkl (the first): uncompressed size at +24.
  const central = Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  view.setUint32(central + 24, 0xfffffff0, true);
  timedRejection(() => decodeTorchCheckpoint(zip, "huge.ckpt"), /^huge\.ckpt: not a PyTorch zip checkpoint \(entry archive\/data\.pkl claims 4294967280 bytes from \d+ compressed\)$/);
  // An end record listing 65535 entries in a file that holds three.
  const listed = zipOf(pickleBytes(0x80, 2, 0x7d, 0x2e), {}, 0).slice();
  const end = Buffer.from(listed).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  new DataView(listed.buffer).setUint16(end + 8, 0xffff, true); // entries on this disk (what readers loop over)
  new DataView(listed.buffer).setUint16(end + 10, 0xffff, true);
  timedRejection(() => decodeTorchCheckpoint(listed, "many.ckpt"), /many\.ckpt: not a PyTorch zip checkpoint/);
});
