# Sourced by setup.sh and run.sh: where the Windows prefix lives and how Wine is started.
LW_WIN_ROOT=${LOGWATCH_CI_CACHE:-$HOME/.cache/logwatch-ci}/windows
export WINEPREFIX=$LW_WIN_ROOT/prefix WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
# no Mono or Gecko downloads (nothing outside Debian and PyPI), no dialogs asking for them
export WINEDLLOVERRIDES="mscoree,mshtml="
# the Linux side's pip settings must not leak into the Windows pip
unset PIP_FIND_LINKS PIP_CERT PIP_DEFAULT_TIMEOUT PIP_CONSTRAINT PYTHONDONTWRITEBYTECODE
