#!/usr/bin/env bash
# Build the image every deployment recipe uses: the same environment as Binder
# (binder/environment.yml), so the scheduler, the workers and the notebook run the same
# versions of Python, Dask and every library. Needs Docker and jupyter-repo2docker.
#   deploy/build-image.sh            # builds the tag in deploy/image.txt
#   deploy/build-image.sh --push     # and pushes it (log in to the registry first)
set -euo pipefail
cd "$(dirname "$0")/.."
image="$(cat deploy/image.txt)"
jupyter-repo2docker --no-run --user-id 1000 --user-name jovyan --image-name "$image" .
if [[ "${1:-}" == "--push" ]]; then
    docker push "$image"
fi
