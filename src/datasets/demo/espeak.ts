// Speech from eSpeak NG, run in-process as WebAssembly (the `espeak-ng` npm package): no network, no
// native binary. Each run is a fresh instance of the command line program, so runs are independent and,
// with -D (deterministic random mode), byte-identical for identical arguments.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type ESpeakNg from "espeak-ng";
import { decodeWav } from "../../audio/wav.ts";
import { VoxlabError } from "../../core/errors.ts";

/** What one eSpeak NG run produced: mono samples in [-1, 1) at the synthesiser's own rate (22050 Hz). */
export interface SynthesizedSpeech {
  samples: Float32Array;
  sampleRate: number;
}

/** The settings of one eSpeak NG run (see `espeak-ng --help`). */
export interface ESpeakArgs {
  /** `<language>+<variant>`, e.g. `en-gb+m3`. */
  voice: string;
  /** Base pitch, 0–99 (eSpeak's default 50). */
  pitch: number;
  /** Pitch range, 0–99 (default 50). */
  pitchRange: number;
  /** Words per minute (default 175). */
  speed: number;
  /** SSML text (`<speak>…</speak>`). */
  ssml: string;
}

const OUTPUT = "/voxlab-out.wav";

let compiled: Promise<WebAssembly.Module> | undefined;

/** The synthesiser's WebAssembly, compiled once per process (18 MB: compiling is most of a cold start). */
function espeakModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve("espeak-ng/dist/espeak-ng.wasm");
    return WebAssembly.compile(await readFile(path));
  })();
  return compiled;
}

function clampInt(value: number, min: number, max: number): string {
  return String(Math.min(max, Math.max(min, Math.round(value))));
}

/** Runs eSpeak NG once on SSML and returns the audio it wrote. */
export async function synthesize(args: ESpeakArgs): Promise<SynthesizedSpeech> {
  const module = await espeakModule();
  const { default: espeakNg }: { default: typeof ESpeakNg } = await import("espeak-ng");
  const messages: string[] = [];
  const exitCode = process.exitCode;
  const argv = [
    "-D", // deterministic random mode
    "-m", // SSML input
    "-v", args.voice,
    "-p", clampInt(args.pitch, 0, 99),
    "-P", clampInt(args.pitchRange, 0, 99),
    "-s", clampInt(args.speed, 80, 450),
    "-w", OUTPUT,
    args.ssml,
  ];
  let wav: Uint8Array;
  // Starting an instance builds its in-memory file system, which throws and catches thousands of errors
  // internally; without stack traces that costs a fraction of the time (notably under source maps).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const instance = await espeakNg({
      arguments: argv,
      print: () => undefined,
      printErr: (text) => messages.push(text),
      instantiateWasm: (imports, receive) => {
        WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module));
        return {};
      },
    });
    wav = instance.FS.readFile(OUTPUT);
  } catch (err) {
    const why = messages[0] ?? (err instanceof Error ? err.message : String(err));
    throw new VoxlabError(`eSpeak NG failed for voice ${args.voice}: ${why}`);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    // An Emscripten program that exits non-zero sets process.exitCode; that is not VoxLab's exit status.
    process.exitCode = exitCode;
  }
  if (messages.length > 0) throw new VoxlabError(`eSpeak NG, voice ${args.voice}: ${messages.join("; ")}`);
  const { samples, sampleRate } = decodeWav(wav, `eSpeak NG output (voice ${args.voice})`);
  return { samples, sampleRate };
}
