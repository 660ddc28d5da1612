// Writing PyTorch zip checkpoints (what `torch.save(state_dict, f)` produces) for tests: the pickle opcodes
// torch emits for an OrderedDict of tensors, and the zip layout <top>/{data.pkl, byteorder, data/<key>}.
import { zipSync } from "fflate";
import type { StateDict } from "../../src/models/speechbrain/torch-checkpoint.ts";

const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
/** BININT1 below 256, else BININT (as pickle protocol 2 writes them). */
const int = (n: number): number[] => (n < 256 ? [0x4b, n] : [0x4a, ...u32(n)]);
const str = (s: string): number[] => {
  const utf8 = [...new TextEncoder().encode(s)];
  return [0x58, ...u32(utf8.length), ...utf8];
};
const global = (module: string, name: string): number[] => [0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)];
const intTuple = (xs: number[]): number[] => [0x28, ...xs.flatMap(int), 0x74];

/** The pickle torch.save writes for one tensor entry: key -> _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
export function tensorEntry(key: string, storageType: string, storageKey: string, numel: number, offset: number, size: number[], stride: number[]): number[] {
  return [
    ...str(key),
    ...global("torch._utils", "_rebuild_tensor_v2"),
    0x28, // MARK (args tuple)
    0x28, ...str("storage"), ...global("torch", storageType), ...str(storageKey), ...str("cpu"), ...int(numel), 0x74, 0x51, // persistent id
    ...int(offset),
    ...intTuple(size),
    ...intTuple(stride),
    0x89,
    ...global("collections", "OrderedDict"), 0x29, 0x52,
    0x74, 0x52, // TUPLE, REDUCE
  ];
}

export function stateDictPickle(entries: number[][]): Uint8Array {
  return Uint8Array.from([0x80, 2, ...global("collections", "OrderedDict"), 0x29, 0x52, 0x28, ...entries.flat(), 0x75, 0x2e]);
}

export function torchZip(top: string, pickle: Uint8Array, storages: Record<string, ArrayBufferView>): Uint8Array {
  const files: Record<string, Uint8Array> = { [`${top}/data.pkl`]: pickle, [`${top}/byteorder`]: new TextEncoder().encode("little") };
  for (const [k, v] of Object.entries(storages)) files[`${top}/data/${k}`] = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return zipSync(files, { level: 0 });
}

/** A whole state dict as torch.save writes it: one storage per tensor, contiguous (C-order) strides. */
export function encodeStateDict(state: StateDict, top = "embedding_model"): Uint8Array {
  const entries: number[][] = [];
  const storages: Record<string, ArrayBufferView> = {};
  [...state].forEach(([key, tensor], i) => {
    const stride = tensor.shape.map((_, d) => tensor.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const type = tensor.dtype === "int64" ? "LongStorage" : "FloatStorage";
    entries.push(tensorEntry(key, type, String(i), tensor.data.length, 0, tensor.shape, stride));
    storages[String(i)] = tensor.data;
  });
  return torchZip(top, stateDictPickle(entries), storages);
}
