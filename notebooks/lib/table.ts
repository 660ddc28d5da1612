// DataFrames as HTML tables: danfojs' console tables cut every column at 16 characters.
import * as tslab from "tslab";
import { loadVoxlab } from "./voxlab";

/** What is read of a danfojs DataFrame (danfojs-node's class or the base class its methods return). */
export interface TableLike {
  columns: string[];
  index: Array<string | number>;
  values: unknown[];
}

/** Shows `df` inline as an HTML table, its index as the first column. */
export async function showTable(df: TableLike): Promise<void> {
  const { escapeHtml } = await loadVoxlab();
  const cell = (tag: "th" | "td", value: unknown) => `<${tag}>${escapeHtml(String(value))}</${tag}>`;
  const header = `<tr>${cell("th", "")}${df.columns.map((c) => cell("th", c)).join("")}</tr>`;
  const rows = (df.values as unknown[][]).map((row, i) => `<tr>${cell("th", df.index[i])}${row.map((v) => cell("td", v)).join("")}</tr>`);
  tslab.display.html(`<table>${header}${rows.join("")}</table>`);
}
