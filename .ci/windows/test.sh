#!/usr/bin/env bash
# The Windows lane: a real python.org CPython 3.12 x64 under Wine (setup.sh) runs the
# test suite on this checkout, with the project's real Windows wheels.
# Usage: .ci/windows/test.sh [PYTEST ARGS...]   (default: the whole suite)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
t0=$SECONDS
bash "$HERE/setup.sh" "$PWD"
echo "[windows lane] prefix ready in $((SECONDS - t0)) s"
t1=$SECONDS
# the Windows pytest reads its arguments as Windows paths: tests/... work as they are
set +e
"$HERE/run.sh" -m pytest -q -p no:cacheprovider "$@" </dev/null
code=$?
set -e
# end what the tests left in the prefix (Wine's desktop process, a stray daemon)
# shellcheck source=.ci/windows/env.sh
source "$HERE/env.sh"
wineserver -k 2>/dev/null || true
echo "[windows lane] tests in $((SECONDS - t1)) s, lane in $((SECONDS - t0)) s (exit $code)"
exit $code
