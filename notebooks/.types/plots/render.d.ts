/// <reference types="node" resolution-mode="require"/>
/// <reference types="node" resolution-mode="require"/>
import { type TopLevelSpec } from "vega-lite";
/** Renders a vega-lite spec to an SVG document in Node (no browser, no canvas). */
export declare function renderSvg(spec: TopLevelSpec): Promise<string>;
/**
 * Renders a vega-lite spec (or an SVG document already rendered) to PNG, `scale` times the SVG's
 * size in pixels (2 for a sharp figure on a high-density screen or in print).
 */
export declare function renderPng(figure: TopLevelSpec | string, scale?: number): Promise<Buffer>;
