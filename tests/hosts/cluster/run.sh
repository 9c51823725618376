#!/usr/bin/env bash
# The cluster suite (tests/hosts/cluster): hosts as network namespaces on a bridge that lives
# in a namespace of its own (asc-app), so nothing touches this machine's network. Root only.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ "$(id -u)" != 0 ]; then echo "test-cluster needs root (ip netns)" >&2; exit 2; fi
ip netns del asc-app 2>/dev/null || true
ip netns add asc-app
trap 'ip netns del asc-app 2>/dev/null || true' EXIT
nsenter --net=/run/netns/asc-app ip link set lo up
ASCENT_CLUSTER_TESTS=1 nsenter --net=/run/netns/asc-app .venv/bin/python -m pytest -p no:cacheprovider -v tests/hosts/cluster "$@"
