// VoxLab's public API: notebooks, the CLI and other programs import from here only.
export { VoxlabError } from "./errors.ts";
export { decodeNpy, encodeNpy, readNpy, writeNpy, type Float32Npy } from "./io/npy.ts";
