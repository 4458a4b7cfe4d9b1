#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then builds and runs tests/consumer against
# it with find_package(kerb), and checks the pkg-config file.
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/tests/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
"$work/build/consumer_c"
if [[ -x $work/build/consumer_https ]]; then "$work/build/consumer_https"; fi
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --exists --print-errors kerb
echo "pkg-config: $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --libs kerb)"
# consumer_c.c again, built by the C compiler alone with pkg-config's flags (no CMake, no C++
# link driver): kerb_c must come first and the C++ runtime must be named. The .pc file names
# the configured prefix, not the scratch one.
cc=${CC:-cc}
# shellcheck disable=SC2046
"$cc" -std=c11 -o "$work/consumer_c_pc" "$source/tests/consumer/consumer_c.c" \
  $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --define-variable=prefix="$work/prefix" --cflags --libs --static kerb)
"$work/consumer_c_pc"
for v in with_camellia with_rc4_hmac; do
  echo "pkg-config: $v=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --variable=$v kerb)"
done
rm -rf "$work"
