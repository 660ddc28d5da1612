// Reads a PyTorch zip checkpoint written by `torch.save(state_dict)`: `<top>/data.pkl` (the pickled
// OrderedDict of tensors) plus `<top>/data/<key>` (raw little-endian storages). No Python involved.
import { VoxlabError, errorMessage, printable } from "../../core/errors.ts";
import { readUserFile } from "../../core/fs.ts";
import { PickleCall, PickleDict, PickleExtension, PickleGlobal, PickleTuple, readPickle, type PickleValue } from "./pickle.ts";
import { fflate } from "../../core/lazy-modules.ts";

/** Deflate expands data at most about 1032-fold; a zip entry claiming more is corrupt. */
const MAX_DEFLATE_RATIO = 1032;
/** The smallest zip central directory record (no name, no extra field). */
const CENTRAL_HEADER_BYTES = 46;

export type TensorDtype = "float32" | "int64";

export interface Tensor {
  dtype: TensorDtype;
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** Parameter name -> tensor, in checkpoint order. */
export type StateDict = Map<string, Tensor>;

interface StorageKind {
  dtype: TensorDtype;
  itemSize: number;
  /** Converts the raw bytes of one storage (aligned copy) to the tensor's element type. */
  decode: (bytes: ArrayBuffer) => Float32Array | BigInt64Array;
}

const halfToFloat = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
};

// float64/float16/bfloat16 weights are widened or narrowed to float32: the ONNX graph runs in float32.
const STORAGE_KINDS: Record<string, StorageKind> = {
  FloatStorage: { dtype: "float32", itemSize: 4, decode: (b) => new Float32Array(b) },
  DoubleStorage: { dtype: "float32", itemSize: 8, decode: (b) => Float32Array.from(new Float64Array(b)) },
  HalfStorage: { dtype: "float32", itemSize: 2, decode: (b) => Float32Array.from(new Uint16Array(b), halfToFloat) },
  BFloat16Storage: {
    dtype: "float32",
    itemSize: 2,
    decode: (b) => new Float32Array(Uint32Array.from(new Uint16Array(b), (v) => v << 16).buffer),
  },
  LongStorage: { dtype: "int64", itemSize: 8, decode: (b) => new BigInt64Array(b) },
};

class StorageRef extends PickleExtension {
  constructor(
    readonly kind: StorageKind,
    readonly typeName: string,
    readonly key: string,
    readonly numel: number,
  ) {
    super();
  }
}

class TensorRef extends PickleExtension {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {
    super();
  }
}

const intTuple = (v: PickleValue, what: string, file: string): number[] => {
  const items = v instanceof PickleTuple ? v.items : null;
  if (!items || !items.every((x) => typeof x === "number")) throw new VoxlabError(`${file}: ${what} is not a tuple of ints`);
  return items as number[];
};

/** The pickle hooks that turn torch's storage ids and tensor rebuild calls into StorageRef/TensorRef. */
function torchHooks(file: string) {
  return {
    persistentLoad(pid: PickleValue): PickleValue {
      const [tag, type, key, , numel] = pid instanceof PickleTuple ? pid.items : [];
      if (tag !== "storage" || !(type instanceof PickleGlobal) || typeof key !== "string" || typeof numel !== "number") {
        throw new VoxlabError(`${file}: unexpected persistent id in data.pkl (not a torch storage)`);
      }
      const kind = STORAGE_KINDS[type.name];
      if (type.module !== "torch" || !kind) {
        throw new VoxlabError(`${file}: tensor storage type ${type.qualifiedName} is not supported`);
      }
      return new StorageRef(kind, type.qualifiedName, key, numel);
    },
    reduce(fn: PickleValue, args: PickleValue[]): PickleValue | undefined {
      if (!(fn instanceof PickleGlobal)) return undefined;
      switch (fn.qualifiedName) {
        case "torch._utils._rebuild_tensor_v2":
        case "torch._utils._rebuild_tensor": {
          const [storage, offset, size, stride] = args;
          if (!(storage instanceof StorageRef) || typeof offset !== "number") {
            throw new VoxlabError(`${file}: malformed ${fn.name} call in data.pkl`);
          }
          return new TensorRef(storage, offset, intTuple(size, "tensor size", file), intTuple(stride, "tensor stride", file));
        }
        case "torch._utils._rebuild_parameter":
          return args[0]; // (data, requires_grad, backward_hooks): the data is what matters
        case "collections.OrderedDict":
          return new PickleDict();
        default:
          return undefined;
      }
    },
  };
}

/** Copies a (possibly strided) view of a storage into a fresh C-order array. */
function gatherStrided<T extends Float32Array | BigInt64Array>(storage: T, t: TensorRef, name: string, file: string): T {
  const { shape, stride, offset } = t;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || !stride.every(Number.isInteger) || !Number.isInteger(offset)) {
    throw new VoxlabError(`${file}: ${name}: tensor size, stride and offset must be whole numbers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  // Only an expanded (stride-0) view can hold more elements than its storage; state dicts do not have
  // them, and a corrupt size must not become a huge allocation.
  if (count > storage.length) {
    throw new VoxlabError(`${file}: ${name}: a view of ${count} elements over a storage of ${storage.length}`);
  }
  if (shape.length !== stride.length) throw new VoxlabError(`${file}: ${name}: size and stride differ in rank`);
  let last = offset;
  for (let d = 0; d < shape.length; d++) if (shape[d] > 0) last += (shape[d] - 1) * stride[d];
  if (count > 0 && (offset < 0 || last >= storage.length || stride.some((s) => s < 0))) {
    throw new VoxlabError(`${file}: ${name}: view lies outside its storage`);
  }
  let contiguous = true;
  for (let d = shape.length - 1, expected = 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d];
  }
  if (contiguous) return storage.slice(offset, offset + count) as T;
  const out = new (storage.constructor as { new (n: number): T })(count);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let src = offset;
    for (let d = 0; d < shape.length; d++) src += index[d] * stride[d];
    out[i] = storage[src];
    for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
  }
  return out;
}

/** Reads a state dict from the bytes of a torch zip checkpoint; `file` names it in errors. */
export function decodeTorchCheckpoint(bytes: Uint8Array, file: string): StateDict {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new VoxlabError(`${file}: legacy (pre-1.6, non-zip) torch checkpoint; re-save it with torch>=1.6`);
  }
  let entries: Record<string, Uint8Array>;
  let listed = 0;
  try {
    // The zip directory's counts and sizes are claims: bounded here before fflate loops or allocates.
    entries = fflate().unzipSync(bytes, {
      filter: ({ name, size, originalSize, compression }) => {
        if (++listed * CENTRAL_HEADER_BYTES > bytes.length) throw new Error("its directory lists more entries than the file can hold");
        if (compression === 8 && (size > bytes.length || originalSize > size * MAX_DEFLATE_RATIO + MAX_DEFLATE_RATIO)) {
          throw new Error(`entry ${printable(name.slice(0, 80))} claims ${originalSize} bytes from ${size} compressed`);
        }
        return true;
      },
    });
  } catch (err) {
    throw new VoxlabError(`${file}: not a PyTorch zip checkpoint (${errorMessage(err)})`);
  }
  const pklName = Object.keys(entries).find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pklName) throw new VoxlabError(`${file}: not a PyTorch checkpoint (no <folder>/data.pkl in the zip)`);
  const top = pklName.slice(0, -"data.pkl".length);
  const byteorder = entries[`${top}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== "little") {
    throw new VoxlabError(`${file}: big-endian checkpoints are not supported`);
  }

  const root = readPickle(entries[pklName], torchHooks(file), `${file}: data.pkl`);
  const dict = root instanceof PickleDict ? root : root instanceof PickleCall && root.state instanceof PickleDict ? root.state : null;
  if (!dict) throw new VoxlabError(`${file}: data.pkl does not hold a state dict`);

  const storages = new Map<string, Float32Array | BigInt64Array>();
  const state: StateDict = new Map();
  for (const [key, value] of dict) {
    if (typeof key !== "string") continue;
    if (!(value instanceof TensorRef)) throw new VoxlabError(`${file}: entry ${key} is not a tensor`);
    const { kind, key: storageKey, numel, typeName } = value.storage;
    let storage = storages.get(storageKey);
    if (!storage) {
      const raw = entries[`${top}data/${storageKey}`];
      if (!raw) throw new VoxlabError(`${file}: storage data/${storageKey} of ${key} is missing from the zip`);
      if (raw.length !== numel * kind.itemSize) {
        throw new VoxlabError(`${file}: storage data/${storageKey} of ${key} has ${raw.length} bytes, expected ${numel} x ${typeName}`);
      }
      // slice(): an aligned copy, whatever the entry's offset inside the zip.
      storage = kind.decode(raw.slice().buffer);
      storages.set(storageKey, storage);
    }
    state.set(key, { dtype: kind.dtype, shape: value.shape, data: gatherStrided(storage, value, key, file) });
  }
  return state;
}

export async function readTorchCheckpoint(path: string): Promise<StateDict> {
  return decodeTorchCheckpoint(await readUserFile(path), path);
}
