# Sourced by scripts/notebooks.sh and scripts/test-notebooks.sh: checks for Debian's Jupyter and registers
# the tslab kernel for this clone only. The kernel spec goes under the ignored .cache/jupyter, pointing at
# this clone's tslab, so nothing outside the clone changes; the exported JUPYTER_PATH makes Jupyter find it.
python=/usr/bin/python3

# need_jupyter <python modules...> <debian packages...>: one line naming what to install, and exit 1.
need_jupyter() {
  local modules=$1 packages=$2
  if ! "$python" -c "import $modules" 2>/dev/null; then
    echo "Jupyter is missing: install Debian's packages with: sudo apt-get install $packages" >&2
    exit 1
  fi
}

register_tslab_kernel() {
  local root=$1
  local prefix=$root/.cache/jupyter
  export JUPYTER_PATH=$prefix/share/jupyter
  local spec=$JUPYTER_PATH/kernels/tslab/kernel.json
  if ! grep -qF "\"$root/node_modules/.bin/tslab\"" "$spec" 2>/dev/null; then
    "$root/node_modules/.bin/tslab" install --python="$python" --prefix="$prefix" --binary="$root/node_modules/.bin/tslab" >/dev/null || exit 1
  fi
  # Notebooks take VoxLab's types from dist/ (npm install builds it); rebuild if it is missing.
  [ -f "$root/dist/index.d.ts" ] || (cd "$root" && npm run --silent build) || exit 1
}
