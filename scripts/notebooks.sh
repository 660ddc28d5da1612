#!/usr/bin/env bash
# npm run notebooks: registers the tslab (TypeScript) kernel for this clone and opens notebooks/ in Jupyter.
# Extra arguments go to Jupyter (e.g. `npm run notebooks -- --no-browser --port 8899`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jupyter-kernel.sh
need_jupyter "notebook" "jupyter-notebook python3-ipykernel jupyter-client"
register_tslab_kernel "$PWD"
echo "tslab kernel registered for $PWD (JUPYTER_PATH=$JUPYTER_PATH); pick \"TypeScript\" in Jupyter" >&2
# Jupyter refuses to run as root unless told (containers and CI machines often are root).
root_flag=()
[ "$(id -u)" -eq 0 ] && root_flag=(--allow-root)
exec "$python" -m notebook --notebook-dir=notebooks "${root_flag[@]}" "$@"
