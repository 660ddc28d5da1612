#!/usr/bin/python3
"""Executes one notebook headless (Debian's nbclient, the kernel its metadata names) and checks it.

usage: execute-notebook.py <notebook.ipynb> <output dir>

Fails (exit 1) when the stored notebook carries outputs (notebooks live in git cleared), when a cell
fails, when a code cell tagged "figure" does not show one bundle holding both SVG and PNG, or when the
cell's part of the HTML copy holds no image. tslab reports every error, compile diagnostics included, on
the cell's stderr only, so a failing cell's stderr is printed here. The executed copy (.ipynb) and its
HTML (nbconvert, as people publish notebooks) are written to <output dir> even after a failure.
"""
import os
import sys
import time

import re

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.utils.base import NbConvertBase
from traitlets.config import Config

FIGURE_TYPES = ("image/svg+xml", "image/png")
# An image in nbconvert's HTML: an inline <svg> with drawn content, or an <img> with a data URI payload.
HTML_IMAGE = re.compile(r"<svg\b[^>]*>.*?<(path|rect|line|text|g)\b|<img\b[^>]*src=\"data:image/(png|svg\+xml);base64,[A-Za-z0-9+/]{100}", re.S)


def stored_outputs(nb):
    """Indices of code cells saved with outputs or an execution count."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]


def cell_text(cell):
    """What a cell wrote to stderr or raised, as text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stderr":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}\n" + "\n".join(out.traceback))
    return "".join(parts).rstrip()


def figure_cells(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "figure" in c.metadata.get("tags", [])]


def missing_figures(nb):
    """Indices of cells tagged "figure" without a display bundle holding both SVG and PNG."""
    return [
        i
        for i in figure_cells(nb)
        if not any(all(t in out.get("data", {}) for t in FIGURE_TYPES) for out in nb.cells[i].outputs)
    ]


def html_exporter():
    """nbconvert's HTML exporter with PNG ahead of SVG: nbconvert 6 (Debian's) passes inline SVG through its
    HTML sanitizer, which strips every drawing element and leaves an empty box; the bundle's PNG survives."""
    priority = list(NbConvertBase().display_data_priority)
    priority.remove("image/png")
    priority.insert(priority.index("image/svg+xml"), "image/png")
    config = Config()
    config.NbConvertBase.display_data_priority = priority
    return HTMLExporter(config=config)


def imageless_html(nb, exporter):
    """Indices of figure cells whose nbconvert HTML (the cell alone, as the whole page renders it) has no image."""
    missing = []
    for i in figure_cells(nb):
        alone = nbformat.v4.new_notebook(cells=[nb.cells[i]], metadata=nb.metadata)
        html, _ = exporter.from_notebook_node(alone)
        if not HTML_IMAGE.search(html):
            missing.append(i)
    return missing


def main(path, out_dir):
    name = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    dirty = stored_outputs(nb)
    if dirty:
        print(f"{name}: stored with outputs in cells {dirty}; clear them before committing")
        return 1
    failed = []
    client = NotebookClient(
        nb,
        timeout=300,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_error=lambda cell, cell_index, execute_reply: failed.append(cell_index),
    )
    start = time.monotonic()
    try:
        client.execute()
        error = None
    except CellExecutionError as err:
        error = err
    except Exception as err:  # a kernel that dies or a cell past the timeout
        error = err
    seconds = time.monotonic() - start
    os.makedirs(out_dir, exist_ok=True)
    nbformat.write(nb, os.path.join(out_dir, name))
    exporter = html_exporter()
    html, _ = exporter.from_notebook_node(nb)
    with open(os.path.join(out_dir, os.path.splitext(name)[0] + ".html"), "w", encoding="utf-8") as f:
        f.write(html)
    if error is not None:
        where = f"cell {failed[0]}" if failed else "execution"
        print(f"{name}: {where} failed after {seconds:.1f} s")
        if failed:
            print("  " + "\n  ".join(nb.cells[failed[0]].source.splitlines()[:3]) + "\n  ...")
            print(cell_text(nb.cells[failed[0]]) or str(error))
        else:
            print(error)
        return 1
    figures = len(figure_cells(nb))
    missing = missing_figures(nb)
    if missing:
        print(f"{name}: no SVG + PNG display bundle in the figure cells {missing} ({seconds:.1f} s)")
        return 1
    missing = imageless_html(nb, exporter)
    if missing:
        print(f"{name}: no image in the HTML of the figure cells {missing} ({seconds:.1f} s)")
        return 1
    print(f"{name}: ok in {seconds:.1f} s, {figures} figure cells")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[2])
    sys.exit(main(sys.argv[1], sys.argv[2]))
