import { VoxlabError } from "./errors.ts";
import { readUserFile, writeFileAtomic } from "./fs.ts";

/** A float32 array in C order with its shape, as stored in a `.npy` file. */
export interface Float32Npy {
  shape: number[];
  data: Float32Array;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

/** Encodes a float32 C-order array as `.npy` version 1.0 bytes. */
export function encodeNpy(array: Float32Npy): Buffer {
  const expected = array.shape.reduce((a, b) => a * b, 1);
  if (expected !== array.data.length) {
    throw new VoxlabError(`npy: shape [${array.shape.join(",")}] does not hold ${array.data.length} values`);
  }
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The header (magic + version + length + text + newline) is padded to a multiple of 64 bytes.
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const head = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  return Buffer.concat([head, Buffer.from(header, "latin1"), body]);
}

/** Decodes `.npy` bytes holding little-endian float32 (or float64, converted) in C order. */
export function decodeNpy(bytes: Uint8Array, name = "array"): Float32Npy {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new VoxlabError(`${name}: not a .npy file`);
  const major = buf[6];
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.subarray(headerStart, headerStart + headerLength).toString("latin1");
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new VoxlabError(`${name}: unreadable .npy header`);
  if (fortran === "True") throw new VoxlabError(`${name}: Fortran-order .npy is not supported`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLength;
  const itemSize = descr === "<f4" ? 4 : descr === "<f8" ? 8 : 0;
  if (itemSize === 0) throw new VoxlabError(`${name}: .npy dtype ${descr} is not float32/float64`);
  if (buf.length - offset < count * itemSize) throw new VoxlabError(`${name}: .npy data is truncated`);
  // Copy into a fresh, aligned buffer: the payload offset need not be a multiple of the item size.
  const raw = buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + count * itemSize);
  const data = itemSize === 4 ? new Float32Array(raw) : Float32Array.from(new Float64Array(raw));
  return { shape, data };
}

export async function readNpy(path: string): Promise<Float32Npy> {
  return decodeNpy(await readUserFile(path), path);
}

/** Writes atomically: a temporary name first, then a rename, so a killed run never leaves half a file. */
export async function writeNpy(path: string, array: Float32Npy): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array));
}
