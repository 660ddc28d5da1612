#!/usr/bin/env bash
# npm run test:notebooks: executes every notebook in notebooks/ headless with Debian's Jupyter
# (jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client) and the tslab kernel, and checks
# each (scripts/execute-notebook.py: no cell error, figures shown, stored without outputs, and an image in
# every figure cell of the HTML copy). Executed copies and their HTML go to results/notebooks/.
# Exit status 1 when any notebook fails.
set -uo pipefail
cd "$(dirname "$0")/.."
out=results/notebooks
source scripts/jupyter-kernel.sh
need_jupyter "nbclient, ipykernel, jupyter_client, nbconvert" "jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client"
# The notebooks' types come from dist/: build it from the current sources.
npm run --silent build || { echo "test:notebooks: npm run build failed" >&2; exit 1; }
register_tslab_kernel "$PWD"

# Python's frozen-module debugger warning would clutter the log of every kernel start.
export PYDEVD_DISABLE_FILE_VALIDATION=1
passed=0
failed=0
for notebook in notebooks/*.ipynb; do
  if "$python" -Xfrozen_modules=off scripts/execute-notebook.py "$notebook" "$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "notebooks: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
