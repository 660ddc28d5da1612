// Experiment configs: one YAML or JSON file names one reproducible run (dataset, trials, model, scoring, outputs).
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { z } from "zod";
import { errorMessage, printable, VoxlabError } from "../core/errors.ts";
import { readText } from "../core/fs.ts";
import { yaml, zod } from "../core/lazy-modules.ts";
import { defaultModelPath } from "../models/default-model.ts";
import { SCORE_NORMS, type ScoreNorm } from "./evaluate.ts";

/** An experiment name is a folder name under results/. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DEFAULT_SEED = 1;
const DEFAULT_TOP_K = 200;
const DEFAULT_BOOTSTRAP = 200;

/** The schemas of a config file, built on first use (zod loads lazily). */
function buildSchemas() {
  const z = zod();
  const path = z.string().min(1);
  const count = z.int().min(1);

  const generate = z.strictObject({
    seed: z.int().min(0).max(0xffffffff).optional(),
    targetsPerUtterance: count.optional(),
    nontargetRatio: z.number().min(0).optional(),
    maxTrials: count.nullable().optional(),
  });

  const trialsObject = z
    .strictObject({ file: path.optional(), generate: generate.optional() })
    .refine((t) => !(t.file !== undefined && t.generate !== undefined), { message: "give either file or generate, not both" });

  const scoring = z
    .strictObject({ norm: z.enum(SCORE_NORMS).optional(), cohort: path.nullable().optional(), topK: count.optional() })
    .superRefine((s, ctx) => {
      if (s.norm !== undefined && s.norm !== "none" && !s.cohort) ctx.addIssue({ code: "custom", path: ["cohort"], message: `required when scoring.norm is ${s.norm}` });
      if (s.norm === "none" && s.cohort) ctx.addIssue({ code: "custom", path: ["cohort"], message: "given but scoring.norm is none (drop the cohort or choose s-norm or as-norm)" });
    });

  const frontend = z.strictObject({ chunkSeconds: z.number().positive().nullable().optional() });
  const outputs = z.strictObject({ interactive: z.boolean().optional(), bootstrapIterations: count.optional() });

  const config = z.strictObject({
    name: z.string().regex(NAME, { message: "must be a folder name: letters, digits, '.', '_' or '-', starting with a letter or digit" }).optional(),
    seed: z.int().min(0).max(0xffffffff).optional(),
    dataset: path,
    // A bare string is the trial-list file.
    trials: z.preprocess((v) => (typeof v === "string" ? { file: v } : v), trialsObject).optional(),
    enrollMap: path.nullable().optional(),
    model: path.optional(),
    frontend: frontend.optional(),
    scoring: scoring.optional(),
    outputs: outputs.optional(),
    // A calib.json from `voxlab calibrate` on a dev run (or a folder holding one as calib.json).
    calibration: path.nullable().optional(),
  });

  /** The keys each mapping allows, for the "unknown key" message. */
  const keysAt: Record<string, readonly string[]> = {
    "": Object.keys(config.shape),
    trials: ["file", "generate"],
    "trials.generate": Object.keys(generate.shape),
    frontend: Object.keys(frontend.shape),
    scoring: ["norm", "cohort", "topK"],
    outputs: Object.keys(outputs.shape),
  };
  return { config, keysAt };
}

let schemas: ReturnType<typeof buildSchemas> | undefined;
const builtSchemas = (): ReturnType<typeof buildSchemas> => (schemas ??= buildSchemas());

/** The schema of an experiment config file (relative paths are resolved against the file's folder). */
export function experimentConfigSchema(): ReturnType<typeof buildSchemas>["config"] {
  return builtSchemas().config;
}

export type ExperimentConfig = z.infer<ReturnType<typeof experimentConfigSchema>>;

/** A config with every default filled in and every path absolute; itself a valid config file. */
export interface ResolvedExperimentConfig {
  name: string;
  seed: number;
  dataset: string;
  trials: { file: string } | { generate: { seed: number; targetsPerUtterance: number; nontargetRatio: number; maxTrials: number | null } };
  enrollMap: string | null;
  model: string;
  frontend: { chunkSeconds: number | null };
  scoring: { norm: ScoreNorm; cohort: string | null; topK: number };
  outputs: { interactive: boolean; bootstrapIterations: number };
  /** The calib.json applied to the scores; absent without one (so older configs keep their hash). */
  calibration?: string;
}

/** What a field holds, where "a mapping" would say too little. */
const EXPECTED_AT: Record<string, string> = {
  trials: "a trial-list file or a mapping with file or generate",
};

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

/** Text from the config cut to `max` characters (the middle dropped), so that a message stays short. */
function shorten(text: string, max = 40): string {
  if (text.length <= max) return text;
  const keep = Math.floor((max - 3) / 2);
  return `${text.slice(0, keep)}...${text.slice(-keep)}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return shorten(typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value)));
}

function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, below: boolean, got: string): string {
  if (issue.origin === "string") return below ? "must not be empty" : `must be at most ${limit} characters`;
  return `must be ${below ? ">" : "<"}${issue.inclusive ? "=" : ""} ${limit}${got}`;
}

/** One issue as `field.path: message`. */
function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.map((key) => shorten(String(key))).join(".");
  const got = "input" in issue && issue.input !== undefined ? `, got ${describeValue(issue.input)}` : "";
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = builtSchemas().keysAt[where];
      const field = [where, shorten(issue.keys[0])].filter(Boolean).join(".");
      return `${field}: unknown key${allowed ? ` (expected one of ${allowed.join("|")})` : ""}`;
    }
    case "invalid_type":
      if (issue.input === undefined) return `${where}: required`;
      return `${where || "(top level)"}: expected ${EXPECTED_AT[where] ?? TYPE_NAMES[issue.expected] ?? issue.expected}${got}`;
    case "invalid_value":
      return `${where}: expected one of ${issue.values.map(String).join("|")}${got}`;
    case "too_small":
      return `${where}: ${bound(issue, issue.minimum, true, got)}`;
    case "too_big":
      return `${where}: ${bound(issue, issue.maximum, false, got)}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function parseText(text: string, source: string): unknown {
  const ext = extname(source).toLowerCase();
  if (ext === ".json") {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new VoxlabError(`${source}: invalid JSON (${printable((err as Error).message)})`);
    }
  }
  if (ext !== ".yaml" && ext !== ".yml") throw new VoxlabError(`${source}: an experiment config must be .yaml, .yml or .json`);
  const doc = yaml().parseDocument(text, { uniqueKeys: true });
  const [error] = doc.errors;
  // The first line of a YAML error says what and where ("... at line 2, column 3:"); a code frame follows.
  if (error) throw new VoxlabError(`${source}: invalid YAML: ${printable(error.message.split("\n")[0].replace(/:$/, ""))}`);
  try {
    return doc.toJS() as unknown;
  } catch (err) {
    // Errors the parser leaves to conversion, e.g. an alias whose anchor comes after it.
    throw new VoxlabError(`${source}: invalid YAML: ${errorMessage(err).split("\n")[0]}`);
  }
}

/** Parses and validates a config's text; errors are one line naming `source` and the field path. */
export function parseExperimentConfig(text: string, source: string): ExperimentConfig {
  const data = parseText(text, source);
  if (data === null || data === undefined) throw new VoxlabError(`${source}: the config is empty (it needs at least dataset)`);
  return validateWith(experimentConfigSchema(), data, source);
}

/** `data` checked against `schema`, or a VoxlabError `<source>: <field.path>: <problem>` for its first issue. */
export function validateWith<T>(schema: z.ZodType<T>, data: unknown, source: string): T {
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) throw new VoxlabError(`${source}: ${formatIssue(result.error.issues[0])}`);
  return result.data;
}

/** Fills in every default and makes paths absolute (relative ones are taken from `baseDir`, the config's folder). */
export function resolveExperimentConfig(config: ExperimentConfig, baseDir: string, source: string, fallbackName: string): ResolvedExperimentConfig {
  const absolute = (field: string, p: string): string => {
    const full = resolve(baseDir, p);
    if (!existsSync(full)) throw new VoxlabError(`${source}: ${field}: ${shorten(full, 300)} does not exist`);
    return full;
  };
  const seed = config.seed ?? DEFAULT_SEED;
  const dataset = absolute("dataset", config.dataset);
  const defaultTrials = join(dataset, "trials.txt");
  let trials: ResolvedExperimentConfig["trials"];
  if (config.trials?.file !== undefined) trials = { file: absolute("trials.file", config.trials.file) };
  else if (config.trials?.generate === undefined && existsSync(defaultTrials)) trials = { file: defaultTrials };
  else {
    const g = config.trials?.generate ?? {};
    trials = { generate: { seed: g.seed ?? seed, targetsPerUtterance: g.targetsPerUtterance ?? 1, nontargetRatio: g.nontargetRatio ?? 1, maxTrials: g.maxTrials ?? null } };
  }
  const cohort = config.scoring?.cohort ? absolute("scoring.cohort", config.scoring.cohort) : null;
  let calibration = config.calibration ? absolute("calibration", config.calibration) : undefined;
  if (calibration !== undefined && statSync(calibration).isDirectory()) calibration = absolute("calibration", join(config.calibration ?? "", "calib.json"));
  return {
    name: config.name ?? fallbackName,
    seed,
    dataset,
    trials,
    enrollMap: config.enrollMap ? absolute("enrollMap", config.enrollMap) : null,
    model: config.model === undefined ? defaultModelPath() : absolute("model", config.model),
    frontend: { chunkSeconds: config.frontend?.chunkSeconds ?? null },
    scoring: { norm: config.scoring?.norm ?? (cohort ? "as-norm" : "none"), cohort, topK: config.scoring?.topK ?? DEFAULT_TOP_K },
    outputs: {
      interactive: config.outputs?.interactive ?? true,
      bootstrapIterations: config.outputs?.bootstrapIterations ?? DEFAULT_BOOTSTRAP,
    },
    ...(calibration === undefined ? {} : { calibration }),
  };
}

/** Reads, validates and resolves a config file. Its name defaults to the file's name without the extension. */
export async function loadExperimentConfig(file: string): Promise<ResolvedExperimentConfig> {
  const text = await readText(file, "experiment config");
  const stem = basename(file, extname(file));
  const fallbackName = NAME.test(stem) ? stem : "experiment";
  return resolveExperimentConfig(parseExperimentConfig(text, file), dirname(resolve(file)), file, fallbackName);
}

/** The canonical JSON text of a resolved config (what config.resolved.json holds). */
export function resolvedConfigJson(config: ResolvedExperimentConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A short hash of the resolved config: runs of the same config share it. */
export function configHash(config: ResolvedExperimentConfig): string {
  return createHash("sha256").update(resolvedConfigJson(config)).digest("hex").slice(0, 8);
}
