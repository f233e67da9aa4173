#!/usr/bin/env bash
# hack/thread-safety.sh -- clang's lock analysis over the normal build: every file of the
# controller, its tools and its tests, checked with -Wthread-safety as errors. gcc, which builds
# Gearbox, ignores the annotations of base/thread_annotations.h; this is where they are enforced
# (GUARDED_BY members touched without their Mutex, a REQUIRES function called without it, a lock
# taken twice). Syntax only: clang parses and analyses each file with the build's own flags
# (compile_commands.json of the RelWithDebInfo build, unity sources included), and generates no
# code, so it costs a fraction of a second build.
#
#   hack/thread-safety.sh            the whole tree (BUILD_DIR, default build/)
#   hack/thread-safety.sh FILTER     only the compile commands whose file matches FILTER (a regex)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-$ROOT/build}
FILTER=${1:-.}
CLANG=${CLANG:-clang++-14}
t0=$(date +%s)

command -v "$CLANG" >/dev/null || { echo "[thread-safety] $CLANG missing (hack/deps.sh)" >&2; exit 1; }
# The unity sources and compile_commands.json are written when the build is configured.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

# One line per file: the build's command with clang, syntax only, lock analysis as errors.
python3 - "$BUILD/compile_commands.json" "$CLANG" "$FILTER" >"$BUILD/thread-safety.commands" <<'EOF'
import json, re, shlex, sys
path, clang, pattern = sys.argv[1:]
for entry in json.load(open(path)):
    if not re.search(pattern, entry["file"]) or "/tests/fuzz/" in entry["file"]:
        continue
    args = shlex.split(entry["command"])
    out, skip = [clang], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a != "-c" and a != entry["file"]:
            out.append(a)
    out += ["-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety", entry["file"]]
    print("cd " + shlex.quote(entry["directory"]) + " && " + shlex.join(out))
EOF
count=$(wc -l <"$BUILD/thread-safety.commands")
if ! xargs -P "$(nproc)" -d '\n' -I{} bash -c '{}' <"$BUILD/thread-safety.commands"; then
  echo "[thread-safety] FAILED: the lock rules above are broken" >&2
  exit 1
fi
echo "[thread-safety] $count files checked with $CLANG -Wthread-safety -Werror in $(($(date +%s) - t0)) s"
