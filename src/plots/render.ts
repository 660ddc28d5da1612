// vega, vega-lite and sharp take over a second to load: they are loaded on first use, so that CLI verbs
// that draw nothing (and every early error) start fast.
import type { TopLevelSpec } from "vega-lite";

/** Renders a vega-lite spec to an SVG document in Node (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ View, parse }, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders a vega-lite spec (or an SVG document already rendered) to PNG, `scale` times the SVG's
 * size in pixels (2 for a sharp figure on a high-density screen or in print).
 */
export async function renderPng(figure: TopLevelSpec | string, scale = 1): Promise<Buffer> {
  if (!(scale > 0 && scale <= 16)) throw new RangeError(`scale must be in (0, 16], got ${scale}`);
  const svg = typeof figure === "string" ? figure : await renderSvg(figure);
  const { default: sharp } = await import("sharp");
  // librsvg renders SVG user units at 72 dpi, so the density sets the scale.
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}
