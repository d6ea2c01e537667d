#!/usr/bin/env bash
# Run the Windows CPython of setup.sh under Wine, in the current directory.
#   run.sh ARGS...                 python.exe ARGS        e.g. run.sh -m pytest -q tests/test_lock.py
#   run.sh --exe NAME ARGS...      C:\Python312\Scripts\NAME.exe ARGS (logwatch, logwatchw...)
#   run.sh --detached PROG ARGS... PROG with no console and no standard handles, as Task
#                                  Scheduler starts it; prints its Windows pid
# WINE_LANG=ru_RU.UTF-8 gives the ANSI code page 1251 (OEM 866); en_US.UTF-8 gives 1252.
# Exit status: the Windows program's.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=.ci/windows/env.sh
source "$HERE/env.sh"
PY='C:\Python312\python.exe'
case "${1:-}" in
  --exe) shift; exe="C:\\Python312\\Scripts\\$1.exe"; shift; set -- "$exe" "$@" ;;
  --detached) shift; set -- "$PY" 'C:\lw\launch_detached.py' "$@" ;;
  *) set -- "$PY" "$@" ;;
esac
loc=${WINE_LANG:-${LANG:-C.UTF-8}}
# Wine 8.0 cannot fstat an inherited Unix *file* as a standard handle and python.exe then
# dies in init_sys_streams (WinError 6): give it pipes. Never start wine with a closed fd
# (<&-): that wedges the wineserver, and every later CreateProcess hangs.
# Only the program itself is waited on, not the pipes' EOF: a detached child (logwatchw)
# and the desktop process Wine starts for it inherit them and may outlive the program.
exec 3<&0  # a background job would get /dev/null instead
cat <&3 | env LANG="$loc" LC_ALL="$loc" wine "$@" > >(cat) 2> >(cat >&2) &
wait $!
