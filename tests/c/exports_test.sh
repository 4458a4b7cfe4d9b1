#!/usr/bin/env bash
# The dynamic symbols a shared kerb C library defines: kerb_* only, and kerb_version among them.
set -euo pipefail
lib=$1
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
echo "$syms" | grep -qx kerb_version || { echo "kerb_version is not exported"; exit 1; }
others=$(echo "$syms" | grep -v '^kerb_' | grep -v '^$' || true)
if [ -n "$others" ]; then
  echo "exported beyond kerb_*:"; echo "$others" | head -20; exit 1
fi
echo "$(echo "$syms" | wc -l) symbols, all kerb_*"
