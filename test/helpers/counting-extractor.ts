import { EmbeddingExtractor, type ExtractOptions } from "../../src/index.ts";

/** The real extractor, counting the files it is asked to embed (how the store tests see what was recomputed). */
export class CountingExtractor extends EmbeddingExtractor {
  files = 0;
  override embedFiles(paths: string[], options?: ExtractOptions): Promise<Float32Array[]> {
    this.files += paths.length;
    return super.embedFiles(paths, options);
  }
}
