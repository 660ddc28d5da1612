// Figures as one Jupyter display bundle holding both SVG and PNG: JupyterLab and VS Code pick the SVG,
// while nbconvert's HTML and GitHub's viewer fall back to the PNG where they do not show inline SVG.
// tslab's own `display.svg` / `display.png` send one type each, so the bundle goes through the kernel's
// display writer directly (the function tslab's `display.raw` calls).
import type { VoxLab } from "./voxlab";

type Spec = Parameters<typeof VoxLab.renderSvg>[0];

interface DisplayData {
  data: Record<string, string>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

const kernel: { lastWriteDisplayData: ((data: DisplayData, update: boolean) => void) | null } = require("tslab/dist/jupyter");

/** Renders a vega-lite spec and shows it as SVG + PNG (at `scale`× for sharp text on high-DPI screens). */
export async function showFigure(vox: typeof VoxLab, spec: Spec, scale = 2): Promise<void> {
  const svg = await vox.renderSvg(spec);
  const png = await vox.renderPng(svg, scale);
  const title = typeof spec.title === "string" ? spec.title : "figure";
  // The PNG has scale× the SVG's pixels: its display size is the SVG's.
  const size = /<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
  const pngSize = size ? { width: Math.round(Number(size[1])), height: Math.round(Number(size[2])) } : {};
  const write = kernel.lastWriteDisplayData;
  if (write === null) throw new Error("showFigure: not running inside a tslab kernel");
  const data = { "image/svg+xml": svg, "image/png": png.toString("base64"), "text/plain": title };
  write({ data, metadata: { "image/png": pngSize }, transient: {} }, false);
}
