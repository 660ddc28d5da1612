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
export declare class TaggedValue {
    readonly tag: string;
    readonly value: unknown;
    constructor(tag: string, value: unknown);
}
/** Parses hyperparams.yaml text; `file` names it in errors. */
export declare function parseSpeechbrainHyperparams(text: string, file: string): SpeechbrainHyperparams;
/** The structural constraints the ECAPA graph relies on. */
export declare function checkEcapaConfig(c: EcapaConfig, file: string): void;
