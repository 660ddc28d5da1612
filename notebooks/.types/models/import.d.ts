import { type SpeechbrainHyperparams } from "./speechbrain-config.ts";
export interface ImportOptions {
    /** Licence of the weights, stored in the metadata (default "unknown"). */
    license?: string;
    /** Where the model came from, e.g. "speechbrain/spkrec-ecapa-voxceleb" (default: the folder name). */
    source?: string;
}
export interface ImportResult {
    outPath: string;
    hyperparams: SpeechbrainHyperparams;
    /** Learnable parameters (as torch's `sum(p.numel() for p in model.parameters())`). */
    parameterCount: number;
    bytes: number;
}
export declare function importSpeechbrainModel(dir: string, outPath: string, opts?: ImportOptions): Promise<ImportResult>;
