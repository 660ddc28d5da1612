#!/usr/bin/env bash
# npm run test:notebooks: executes every notebook in notebooks/ headless with Debian's Jupyter
# (jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client) and the tslab kernel, and checks
# each (scripts/execute-notebook.py: no cell error, figures shown, stored without outputs).
# Executed copies go to results/notebooks/. Exit status 1 when any notebook fails.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=/usr/bin/python3
out=results/notebooks

if ! "$python" -c "import nbclient, ipykernel, jupyter_client" 2>/dev/null; then
  echo "test:notebooks: Debian's Jupyter is missing: sudo apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client" >&2
  exit 1
fi

# The kernel spec goes under the ignored .cache/, pointing at this clone's tslab, so nothing outside the
# clone changes; JUPYTER_PATH makes Jupyter find it.
prefix=$root/.cache/jupyter
export JUPYTER_PATH=$prefix/share/jupyter
spec=$JUPYTER_PATH/kernels/tslab/kernel.json
if ! grep -qF "\"$root/node_modules/.bin/tslab\"" "$spec" 2>/dev/null; then
  npx tslab install --python="$python" --prefix="$prefix" --binary="$root/node_modules/.bin/tslab" >/dev/null || exit 1
fi

# The notebooks' types for VoxLab (see notebooks/lib/voxlab.ts).
npx tsc -p notebooks/tsconfig.types.json || { echo "test:notebooks: declarations for notebooks/.types failed" >&2; exit 1; }

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
