#!/usr/bin/env bash
# Cold build time of one revision: `cargo build --release` and `cargo test --no-run`, each
# in an empty target directory of its own, with the wall and CPU time of each and the crates
# that took longest (from `--timings`). Compare two revisions by running it for each, back
# to back, on the same machine; CPU time moves much less with other load than wall time.
#
# usage: benches/build_time.sh [REV]   (default HEAD; needs python3 for the crate table)
#
# The revision is exported with `git archive` under target/build-time/REV and built there;
# everything but the timings pages and the log (target/build-time/REV-*.html, REV.log) is
# deleted afterwards: a cold release build of exemplar takes about 1.5 GB.
set -euo pipefail
cd "$(dirname "$0")/.."

rev="${1:-HEAD}"
name="$(git rev-parse --short "$rev")"
out="$PWD/target/build-time"
src="$out/$name"
log="$out/$name.log"
mkdir -p "$out"
rm -rf "$src"
mkdir -p "$src"
git archive "$rev" | tar -x -C "$src"
export CARGO_TARGET_DIR="$src/target"
trap 'rm -rf "$src"' EXIT

: >"$log"
for what in release test; do
    rm -rf "$CARGO_TARGET_DIR"
    if [ "$what" = release ]; then
        cmd=(cargo build --release --locked --timings)
    else
        cmd=(cargo test --no-run --locked --timings)
    fi
    echo "$what: ${cmd[*]} (load $(cut -d' ' -f1-3 /proc/loadavg) at the start)" | tee -a "$log"
    (cd "$src" && /usr/bin/time -f "$what: %e s wall, %U s user, %S s sys" -a -o "$log" \
        "${cmd[@]}" >"$out/$name-$what.out" 2>&1)
    tail -n 1 "$log"
    cp "$CARGO_TARGET_DIR/cargo-timings/cargo-timing.html" "$out/$name-$what.html"
    python3 - "$out/$name-$what.html" <<'EOF' | tee -a "$log"
import json, re, sys
page = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", page, re.S).group(1))
total = sum(u["duration"] for u in units)
by_crate = {}
for u in units:
    key = f'{u["name"]} {u["version"]}' + (f' ({u["target"].strip()})' if u["target"].strip() else "")
    by_crate[key] = by_crate.get(key, 0) + u["duration"]
print(f"{len(units)} units; the longest, as shares of the sum of unit times ({total:.0f} s):")
for key, secs in sorted(by_crate.items(), key=lambda kv: -kv[1])[:12]:
    print(f"  {100 * secs / total:4.1f}%  {key}")
EOF
done
echo "log: $log"
