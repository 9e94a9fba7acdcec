#!/usr/bin/env bash
# HTML-to-text throughput (issue 15 §5): Docket's HTMLToText (release build) next to Python's html.parser, on the
# same files, in the same run.
#
#   Benchmarks/html-to-text-bench.sh [SIZES_MB...]      (default: 1 2 4 9 16)
#
# The input is real HTML: every text/html part of the repository's mail fixtures (Tests/Fixtures/mail),
# concatenated in file order and repeated up to each size. Python's side is a minimal html.parser.HTMLParser that
# collects the text (handle_data) and skips script/style: a parser doing less work than Docket's converter
# (no entity table lookups of its own, no line layout), so it is a floor for "a real HTML parser's speed".
# Linear in size means the MB/s stays flat from the smallest file to the largest. Both sides print wall-clock and
# process CPU time: on a machine shared with builds, compare the CPU figures.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1 2 4 9 16)
work="$(mktemp -d "${TMPDIR:-/tmp}/docket-html-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== building html-to-text-bench (release)"
(cd "$root/Benchmarks" && swift build -c release --product html-to-text-bench >/dev/null)
bench="$(cd "$root/Benchmarks" && swift build -c release --product html-to-text-bench --show-bin-path)/html-to-text-bench"

echo "== making inputs from $root/Tests/Fixtures/mail"
python3 - "$root/Tests/Fixtures/mail" "$work" "${sizes[@]}" <<'PY'
import email, email.policy, os, sys
fixtures, work, sizes = sys.argv[1], sys.argv[2], [float(s) for s in sys.argv[3:]]
parts = []
for folder, _, names in sorted(os.walk(fixtures)):
    for name in sorted(names):
        if not name.endswith(".eml"):
            continue
        message = email.message_from_bytes(open(os.path.join(folder, name), "rb").read(), policy=email.policy.compat32)
        for part in message.walk():
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                if payload:
                    parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
unit = "\n".join(parts).encode("utf-8")
print(f"   {len(parts)} text/html parts, {len(unit)} bytes")
for size in sizes:
    target = int(size * 1_000_000)
    data = (unit * (target // len(unit) + 1))[:target]
    # Cut at a character boundary.
    while data and (data[-1] & 0xC0) == 0x80:
        data = data[:-1]
    open(os.path.join(work, f"html-{size:g}MB.html"), "wb").write(data)
PY

files=()
for size in "${sizes[@]}"; do files+=("$work/html-${size}MB.html"); done

echo "== Docket HTMLToText.convert"
"$bench" --runs 3 "${files[@]}"

echo "== Python $(python3 -c 'import sys; print(sys.version.split()[0])') html.parser (text collected, script/style skipped)"
python3 - "${files[@]}" <<'PY'
import sys, time
from html.parser import HTMLParser

class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"): self.skip += 1
    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip: self.skip -= 1
    def handle_data(self, data):
        if not self.skip: self.out.append(data)

for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    html = raw.decode("utf-8")
    wall = cpu = float("inf")
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        parser = Text(); parser.feed(html); parser.close()
        text = "".join(parser.out)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    mb = len(raw) / 1e6
    print(f"python html.parser {len(raw):10d} bytes -> {len(text.encode()):9d} text  wall {wall:8.4f} s {mb / wall:8.1f} MB/s  cpu {cpu:8.4f} s {mb / cpu:8.1f} MB/s")
PY
