// Types for the parts of the `espeak-ng` npm package (an Emscripten build of the eSpeak NG command line
// program, GPL-3.0-or-later) that VoxLab uses. The package ships no declarations of its own.
declare module "espeak-ng" {
  interface ESpeakNgInstance {
    /** Emscripten's in-memory file system, where `-w <file>` leaves the WAV it wrote. */
    FS: { readFile(path: string): Uint8Array };
  }

  interface ESpeakNgOptions {
    /** Command line arguments of one `espeak-ng` run, which happens while the instance starts. */
    arguments: string[];
    print?: (text: string) => void;
    printErr?: (text: string) => void;
    /** Emscripten's hook for supplying the WebAssembly instance (here: from a module compiled once). */
    instantiateWasm?: (
      imports: WebAssembly.Imports,
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => object;
  }

  export default function ESpeakNg(options: ESpeakNgOptions): Promise<ESpeakNgInstance>;
}
