#!/bin/bash
# Makes `import paraspine` work in Debian's /usr/bin/python3 — and so in its Jupyter kernel — from
# any folder, by writing a paraspine.pth file that points at build/python into the interpreter's
# site folder (/usr/local/lib/python3.X/dist-packages as root, the user site otherwise).
# Rebuilding (make build) updates what is imported; nothing is copied. `--uninstall` removes it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pkg="$here/build/python"
if [ "$(id -u)" = 0 ]; then
  site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
else
  site=$(/usr/bin/python3 -m site --user-site)
fi
pth="$site/paraspine.pth"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$pth"
  echo "removed $pth"
  exit 0
fi
if [ ! -f "$pkg/paraspine/__init__.py" ]; then
  echo "error: $pkg/paraspine is missing; run 'make build' first" >&2
  exit 1
fi
mkdir -p "$site"
echo "$pkg" > "$pth"
echo "wrote $pth -> $pkg"
cd /
/usr/bin/python3 -c 'import paraspine; print("import paraspine:", paraspine.__version__, "from", paraspine.__file__)'
