#!/usr/bin/python3
"""Executes one notebook headless (Debian's nbclient, the kernel its metadata names) and checks it.

usage: execute-notebook.py <notebook.ipynb> <output dir>

Fails (exit 1) when the stored notebook carries outputs (notebooks live in git cleared), when a cell
fails, or when a code cell tagged "figure" shows no SVG or PNG. tslab reports every error, compile
diagnostics included, on the cell's stderr only, so a failing cell's stderr is printed here. The
executed copy is written to <output dir> even after a failure, for inspection.
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

FIGURE_TYPES = ("image/svg+xml", "image/png")


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


def missing_figures(nb):
    """Indices of cells tagged "figure" that display no SVG or PNG."""
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and "figure" in c.metadata.get("tags", [])
        and not any(t in out.get("data", {}) for out in c.outputs for t in FIGURE_TYPES)
    ]


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
    if error is not None:
        where = f"cell {failed[0]}" if failed else "execution"
        print(f"{name}: {where} failed after {seconds:.1f} s")
        if failed:
            print("  " + "\n  ".join(nb.cells[failed[0]].source.splitlines()[:3]) + "\n  ...")
            print(cell_text(nb.cells[failed[0]]) or str(error))
        else:
            print(error)
        return 1
    figures = sum(1 for c in nb.cells if c.cell_type == "code" and "figure" in c.metadata.get("tags", []))
    missing = missing_figures(nb)
    if missing:
        print(f"{name}: no SVG/PNG output in the figure cells {missing} ({seconds:.1f} s)")
        return 1
    print(f"{name}: ok in {seconds:.1f} s, {figures} figure cells")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[2])
    sys.exit(main(sys.argv[1], sys.argv[2]))
