// SpeechBrain's hyperparams.yaml (HyperPyYAML): the ECAPA_TDNN constructor arguments and the frontend
// (Fbank + InputNormalization) settings. Tags such as `!new:pkg.Class` are kept as data, never executed.
import type { Node } from "yaml";
import { printable, VoxlabError } from "../../core/errors.ts";
import { yaml } from "../../core/lazy-modules.ts";

/** ECAPA_TDNN's constructor arguments that shape the network (speechbrain/lobes/models/ECAPA_TDNN.py). */
export interface EcapaConfig {
  inputSize: number;
  /** Five entries: blocks.0, blocks.1-3, mfa. */
  channels: number[];
  kernelSizes: number[];
  dilations: number[];
  attentionChannels: number;
  linNeurons: number;
  res2netScale: number;
  seChannels: number;
  globalContext: boolean;
}

/** What the model's frontend must be fed (speechbrain.lobes.features.Fbank + InputNormalization). */
export interface SpeechbrainFrontendConfig {
  nMels: number;
  sampleRate: number;
  /** InputNormalization(norm_type=sentence, std_norm=False): subtract the per-utterance time mean. */
  meanNorm: "sentence";
}

export interface SpeechbrainHyperparams {
  ecapa: EcapaConfig;
  frontend: SpeechbrainFrontendConfig;
}

/** A YAML node carrying a HyperPyYAML tag (`!new:`, `!name:`, `!apply:`, `!ref`, `!include:`, or another). */
export class TaggedValue {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}

const ECAPA_CLASS = "speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN";
const FBANK_CLASS = "speechbrain.lobes.features.Fbank";
const NORM_CLASS = "speechbrain.processing.features.InputNormalization";

/** The Fbank defaults that the VoxLab "speechbrain" frontend implements; other values are refused. */
const FBANK_DEFAULTS: Record<string, unknown> = {
  sample_rate: 16000,
  n_fft: 400,
  win_length: 25,
  hop_length: 10,
  f_min: 0,
  f_max: null,
  deltas: false,
  context: false,
  filter_shape: "triangular",
  left_frames: 5,
  right_frames: 5,
  log_mel: true,
};

function toValue(node: unknown): unknown {
  const { isMap, isScalar, isSeq } = yaml();
  let value: unknown;
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    for (const pair of node.items) obj[String(isScalar(pair.key) ? pair.key.value : pair.key)] = toValue(pair.value);
    value = obj;
  } else if (isSeq(node)) {
    value = node.items.map(toValue);
  } else if (isScalar(node)) {
    value = node.value;
  } else {
    value = node ?? null;
  }
  const tag = (node as Node | null)?.tag;
  return tag && tag.startsWith("!") ? new TaggedValue(tag, value) : value;
}

/** Resolves `!ref <key>` / `!ref <a.b>` against the top level; text around references is concatenated. */
function resolveRefs(value: unknown, root: Record<string, unknown>, file: string, depth = 0): unknown {
  if (depth > 20) throw new VoxlabError(`${file}: !ref cycle`);
  if (value instanceof TaggedValue && value.tag === "!ref") {
    const text = String(value.value);
    const lookup = (path: string): unknown => {
      let v: unknown = root;
      for (const part of path.split(/[.[\]]+/).filter(Boolean)) {
        if (v === null || typeof v !== "object" || !(part in v)) throw new VoxlabError(`${file}: !ref <${printable(path)}> is not defined`);
        v = (v as Record<string, unknown>)[part];
      }
      return resolveRefs(v, root, file, depth + 1);
    };
    const whole = /^\s*<([^<>]+)>\s*$/.exec(text);
    if (whole) return lookup(whole[1]);
    return text.replace(/<([^<>]+)>/g, (_, path: string) => String(lookup(path)));
  }
  if (value instanceof TaggedValue) return new TaggedValue(value.tag, resolveRefs(value.value, root, file, depth));
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, root, file, depth));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, root, file, depth)]));
  }
  return value;
}

/** The keyword arguments of a `!new:<cls>` node; null when the node is not one. */
function newArgs(value: unknown, cls: string, what: string, file: string): Record<string, unknown> | null {
  if (!(value instanceof TaggedValue) || value.tag !== `!new:${cls}`) return null;
  if (value.value === null || value.value === "") return {};
  if (typeof value.value !== "object" || Array.isArray(value.value)) {
    throw new VoxlabError(`${file}: ${what} must be given keyword arguments`);
  }
  return value.value as Record<string, unknown>;
}

function intArg(args: Record<string, unknown>, key: string, fallback: number | undefined, file: string): number {
  const v = args[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new VoxlabError(`${file}: embedding_model ${key} must be a positive integer (got ${JSON.stringify(v ?? null)})`);
  }
  return v;
}

function intListArg(args: Record<string, unknown>, key: string, fallback: number[], file: string): number[] {
  const v = args[key] ?? fallback;
  if (!Array.isArray(v) || v.length !== 5 || !v.every((x) => typeof x === "number" && Number.isInteger(x) && x > 0)) {
    throw new VoxlabError(`${file}: embedding_model ${key} must be a list of 5 positive integers`);
  }
  return v as number[];
}

/** Parses hyperparams.yaml text; `file` names it in errors. */
export function parseSpeechbrainHyperparams(text: string, file: string): SpeechbrainHyperparams {
  const doc = yaml().parseDocument(text);
  if (doc.errors.length > 0) throw new VoxlabError(`${file}: invalid YAML (${doc.errors[0].message.split("\n")[0]})`);
  const raw = toValue(doc.contents);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || raw instanceof TaggedValue) {
    throw new VoxlabError(`${file}: not a SpeechBrain hyperparams file (no top-level mapping)`);
  }
  const root = raw as Record<string, unknown>;
  const resolve = (key: string): unknown => resolveRefs(root[key], root, file);

  const model = resolve("embedding_model");
  const ecapaArgs = newArgs(model, ECAPA_CLASS, "embedding_model", file);
  if (!ecapaArgs) {
    const found = model instanceof TaggedValue ? model.tag.replace(/^!new:/, "") : model === undefined ? "none" : "not a !new: object";
    throw new VoxlabError(`${file}: embedding_model is not ${ECAPA_CLASS} (found: ${found})`);
  }
  for (const [key, expected] of [["activation", undefined], ["groups", undefined]] as const) {
    if (ecapaArgs[key] !== expected && !(key === "groups" && Array.isArray(ecapaArgs.groups) && ecapaArgs.groups.every((g) => g === 1))) {
      throw new VoxlabError(`${file}: embedding_model ${key} other than the default is not supported`);
    }
  }
  const ecapa: EcapaConfig = {
    inputSize: intArg(ecapaArgs, "input_size", undefined, file),
    channels: intListArg(ecapaArgs, "channels", [512, 512, 512, 512, 1536], file),
    kernelSizes: intListArg(ecapaArgs, "kernel_sizes", [5, 3, 3, 3, 1], file),
    dilations: intListArg(ecapaArgs, "dilations", [1, 2, 3, 4, 1], file),
    attentionChannels: intArg(ecapaArgs, "attention_channels", 128, file),
    linNeurons: intArg(ecapaArgs, "lin_neurons", 192, file),
    res2netScale: intArg(ecapaArgs, "res2net_scale", 8, file),
    seChannels: intArg(ecapaArgs, "se_channels", 128, file),
    globalContext: (ecapaArgs.global_context ?? true) === true,
  };
  checkEcapaConfig(ecapa, file);

  const fbankArgs = newArgs(resolve("compute_features"), FBANK_CLASS, "compute_features", file) ?? {};
  for (const [key, expected] of Object.entries(FBANK_DEFAULTS)) {
    if (key in fbankArgs && fbankArgs[key] !== expected && key !== "sample_rate") {
      throw new VoxlabError(`${file}: compute_features ${key}=${JSON.stringify(fbankArgs[key])} is not supported (VoxLab's speechbrain frontend uses ${JSON.stringify(expected)})`);
    }
  }
  const normArgs = newArgs(resolve("mean_var_norm"), NORM_CLASS, "mean_var_norm", file) ?? {};
  if ((normArgs.norm_type ?? "global") !== "sentence" || (normArgs.std_norm ?? true) !== false) {
    throw new VoxlabError(`${file}: mean_var_norm must be InputNormalization(norm_type=sentence, std_norm=False)`);
  }
  const frontend: SpeechbrainFrontendConfig = {
    nMels: intArg(fbankArgs, "n_mels", 40, file),
    sampleRate: intArg(fbankArgs, "sample_rate", 16000, file),
    meanNorm: "sentence",
  };
  if (frontend.nMels !== ecapa.inputSize) {
    throw new VoxlabError(`${file}: compute_features n_mels ${frontend.nMels} differs from embedding_model input_size ${ecapa.inputSize}`);
  }
  return { ecapa, frontend };
}

/** The structural constraints the ECAPA graph relies on. */
export function checkEcapaConfig(c: EcapaConfig, file: string): void {
  for (let i = 1; i <= 3; i++) {
    if (c.channels[i] !== c.channels[i - 1]) {
      throw new VoxlabError(`${file}: channels[${i - 1}] and channels[${i}] differ (a shortcut conv is not supported)`);
    }
    if (c.channels[i] % c.res2netScale !== 0) {
      throw new VoxlabError(`${file}: channels[${i}]=${c.channels[i]} is not divisible by res2net_scale ${c.res2netScale}`);
    }
  }
}

/** speechbrain/spkrec-ecapa-voxceleb's shape (ANCHORS §1.1): 20.8 M parameters, 1.89 GMAC per second of audio. */
export const SPKREC_ECAPA_VOXCELEB: EcapaConfig = {
  inputSize: 80,
  channels: [1024, 1024, 1024, 1024, 3072],
  kernelSizes: [5, 3, 3, 3, 1],
  dilations: [1, 2, 3, 4, 1],
  attentionChannels: 128,
  linNeurons: 192,
  res2netScale: 8,
  seChannels: 128,
  globalContext: true,
};
