// Embeddings as a table for other tools: an [N,D] float32 .npy and the matching list of paths.
import { VoxlabError } from "../../core/errors.ts";
import { writeFileAtomic } from "../../core/fs.ts";
import { writeNpy } from "../../core/npy.ts";

/**
 * Writes embeddings as an [N,D] float32 `.npy` (rows in the map's order) plus a text file of the
 * matching paths, one per line (default `<npy without .npy>.paths.txt`); returns the list's path.
 */
export async function writeEmbeddingTable(npyPath: string, embeddings: ReadonlyMap<string, Float32Array>, listPath = `${npyPath.replace(/\.npy$/i, "")}.paths.txt`): Promise<string> {
  const rows = [...embeddings];
  const dim = rows[0]?.[1].length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach(([path, e], i) => {
    if (e.length !== dim) throw new VoxlabError(`${npyPath}: embedding of ${path} has dimension ${e.length}, expected ${dim}`);
    if (/[\r\n]/.test(path)) throw new VoxlabError(`${listPath}: path ${JSON.stringify(path)} holds a line break`);
    data.set(e, i * dim);
  });
  await writeNpy(npyPath, { shape: [rows.length, dim], data });
  await writeFileAtomic(listPath, rows.map(([path]) => `${path}\n`).join(""));
  return listPath;
}
