#!/usr/bin/env bash
# The lock analysis hack/thread-safety.sh runs is live: with its flags, clang refuses broken.cpp
# for each of its three broken rules and accepts kept.cpp.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
clang=${CLANG:-clang++-14}
flags=(-std=c++20 -fsyntax-only -Wthread-safety -Werror=thread-safety -I "$root/controller")
"$clang" "${flags[@]}" "$here/kept.cpp"
if out=$("$clang" "${flags[@]}" "$here/broken.cpp" 2>&1); then
  echo "FAIL: clang accepted broken.cpp" >&2
  exit 1
fi
for rule in "writing variable 'count_' requires holding mutex" "acquiring mutex 'mu_' that is already held" \
  "calling function 'Locked' requires holding mutex"; do
  grep -qF "$rule" <<<"$out" || { echo "FAIL: not reported: $rule" >&2; echo "$out" >&2; exit 1; }
done
echo "clang refuses the three broken rules and accepts the kept ones"
