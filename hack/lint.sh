#!/usr/bin/env bash
# hack/lint.sh -- formatting (clang-format) and static analysis (clang-tidy) of the C++ sources.
#   hack/lint.sh            check formatting of every C++ file, then clang-tidy the controller
#   hack/lint.sh --format   check formatting only (fast; the unit tests run this)
#   hack/lint.sh --fix      reformat in place
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' 'controller/*.h.in')
mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -v '\.in$')
case ${1:-} in
--fix)
  clang-format -i "${files[@]}"
  exit 0
  ;;
esac
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "lint: formatting differs from .clang-format: run hack/lint.sh --fix" >&2
  exit 1
fi
echo "lint: ${#files[@]} files formatted"
[[ ${1:-} == --format ]] && exit 0

command -v clang-tidy >/dev/null || { echo "lint: clang-tidy is not installed (apt-get install clang-tidy)" >&2; exit 1; }
BUILD=${BUILD_DIR:-build}
[[ -f $BUILD/compile_commands.json ]] || cmake -S . -B "$BUILD" -G Ninja >/dev/null
mapfile -t sources < <(git ls-files 'controller/*.cpp')
clang-tidy -p "$BUILD" --quiet "${sources[@]}"
