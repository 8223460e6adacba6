#!/bin/sh
# The image's entrypoint: `web | worker | migrate` run the service ($KINERJA_SERVICE);
# `ops ...` runs the operator CLI (python -m deploy.ops). exec: signals reach the process itself.
set -eu
case "${1:-web}" in
  ops) shift; exec python -m deploy.ops --service "$KINERJA_SERVICE" "$@" ;;
  *) exec python -m "services.$KINERJA_SERVICE" "$@" ;;
esac
