// Rows of plain objects as an HTML table: the notebooks' tables are a few rows of numbers and names, which
// need no DataFrame library (danfojs would bring 400 MB of TensorFlow.js into every install).
import * as tslab from "tslab";
import { loadVoxlab } from "./voxlab";

/** Shows `rows` inline as an HTML table: one column per key (in first-seen order), a row number first. */
export async function showTable(rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const { escapeHtml } = await loadVoxlab();
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (tag: "th" | "td", value: unknown) => `<${tag}>${escapeHtml(String(value ?? ""))}</${tag}>`;
  const header = `<tr>${cell("th", "")}${columns.map((c) => cell("th", c)).join("")}</tr>`;
  const body = rows.map((row, i) => `<tr>${cell("th", i)}${columns.map((c) => cell("td", row[c])).join("")}</tr>`);
  tslab.display.html(`<table>${header}${body.join("")}</table>`);
}
