#!/bin/sh
# Print the path of a Python 3.12 or newer, or explain what to install and fail.
# Order: $PYTHON if given, python3.13, python3.12, python3, then pyenv's versions folder (pyenv's
# python3.12 shim fails unless that version is selected, so the interpreters are looked for directly).
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then command -v "$PYTHON" 2>/dev/null || echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not Python 3.12 or newer." >&2; exit 1
fi
for candidate in python3.14 python3.13 python3.12 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    if ok "$dir/bin/python3"; then echo "$dir/bin/python3"; exit 0; fi
  done
fi
cat >&2 <<'MSG'
Ceangal needs Python 3.12 or newer, and none was found.
  Debian 13 / Ubuntu 24.04:  sudo apt install python3 python3-venv
  Other systems:             install Python 3.12+ from your package manager or with pyenv,
                             then run again, or point at it: make run PYTHON=/path/to/python3.12
MSG
exit 1
