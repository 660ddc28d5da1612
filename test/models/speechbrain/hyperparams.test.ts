import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { VoxlabError } from "../../../src/core/errors.ts";
import { parseSpeechbrainHyperparams } from "../../../src/models/speechbrain/hyperparams.ts";
import { fixture, needShared } from "../../helpers/shared.ts";

const ECAPA = "!new:speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN";

test("hyperparams: the fixture's ECAPA_TDNN arguments, class defaults and frontend", { skip: needShared }, async () => {
  const text = await readFile(fixture("speechbrain-ecapa", "c128-l96", "hyperparams.yaml"), "utf8");
  const hp = parseSpeechbrainHyperparams(text, "hyperparams.yaml");
  assert.deepEqual(hp.ecapa, {
    inputSize: 80,
    channels: [128, 128, 128, 128, 384],
    kernelSizes: [5, 3, 3, 3, 1],
    dilations: [1, 2, 3, 4, 1],
    attentionChannels: 32,
    linNeurons: 96,
    res2netScale: 8,
    seChannels: 128,
    globalContext: true,
  });
  assert.deepEqual(hp.frontend, { nMels: 80, sampleRate: 16000, meanNorm: "sentence" });
});

test("hyperparams: !ref (whole and inside text), unknown tags tolerated, explicit arguments", () => {
  const text = [
    "n: 40",
    "root: /m",
    "ckpt: !ref <root>/embedding_model.ckpt",
    "thing: !apply:os.path.join [a, b]",
    "fn: !name:torch.nn.ReLU",
    "other: !include:extra.yaml",
    "weird: !whatever 3",
    "compute_features: !new:speechbrain.lobes.features.Fbank",
    "    n_mels: !ref <n>",
    "mean_var_norm: !new:speechbrain.processing.features.InputNormalization",
    "    norm_type: sentence",
    "    std_norm: False",
    `embedding_model: ${ECAPA}`,
    "    input_size: !ref <n>",
    "    channels: [64, 64, 64, 64, 192]",
    "    res2net_scale: 4",
    "    se_channels: 16",
    "    global_context: False",
  ].join("\n");
  const hp = parseSpeechbrainHyperparams(text, "h.yaml");
  assert.equal(hp.ecapa.inputSize, 40);
  assert.deepEqual(hp.ecapa.channels, [64, 64, 64, 64, 192]);
  assert.equal(hp.ecapa.res2netScale, 4);
  assert.equal(hp.ecapa.seChannels, 16);
  assert.equal(hp.ecapa.globalContext, false);
  assert.equal(hp.ecapa.attentionChannels, 128); // class default
  assert.equal(hp.ecapa.linNeurons, 192); // class default
  assert.equal(hp.frontend.nMels, 40);
});

test("hyperparams: foreign or unsupported configurations are one-line errors", () => {
  const oneLine = (re: RegExp) => (err: unknown) => err instanceof VoxlabError && re.test(err.message) && !err.message.includes("\n");
  const xvector = "embedding_model: !new:speechbrain.lobes.models.Xvector.Xvector\n    in_channels: 24\n";
  assert.throws(() => parseSpeechbrainHyperparams(xvector, "h.yaml"), oneLine(/^h\.yaml: embedding_model is not .*ECAPA_TDNN \(found: speechbrain\.lobes\.models\.Xvector\.Xvector\)/));
  assert.throws(() => parseSpeechbrainHyperparams("n_mels: 80\n", "h.yaml"), oneLine(/found: none/));
  assert.throws(() => parseSpeechbrainHyperparams("a: [1, 2\n", "h.yaml"), oneLine(/^h\.yaml: invalid YAML/));
  assert.throws(() => parseSpeechbrainHyperparams("- 1\n- 2\n", "h.yaml"), oneLine(/no top-level mapping/));
  const base = `mean_var_norm: !new:speechbrain.processing.features.InputNormalization\n    norm_type: sentence\n    std_norm: False\nembedding_model: ${ECAPA}\n    input_size: 80\n`;
  assert.throws(() => parseSpeechbrainHyperparams(base + "    channels: [64, 64, 64]\n", "h.yaml"), oneLine(/channels must be a list of 5/));
  assert.throws(() => parseSpeechbrainHyperparams(base + "    channels: [60, 60, 60, 60, 180]\n", "h.yaml"), oneLine(/not divisible by res2net_scale 8/));
  assert.throws(() => parseSpeechbrainHyperparams(base + "    lin_neurons: !ref <nope>\n", "h.yaml"), oneLine(/!ref <nope> is not defined/));
  const stdNorm = base.replace("std_norm: False", "std_norm: True");
  assert.throws(() => parseSpeechbrainHyperparams(stdNorm, "h.yaml"), oneLine(/mean_var_norm must be InputNormalization/));
  const deltas = base + "compute_features: !new:speechbrain.lobes.features.Fbank\n    n_mels: 80\n    deltas: True\n";
  assert.throws(() => parseSpeechbrainHyperparams(deltas, "h.yaml"), oneLine(/compute_features deltas=true is not supported/));
});
