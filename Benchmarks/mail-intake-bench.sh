#!/usr/bin/env bash
# Email intake throughput: `docket intake email --maildir` (release build) against Python's standard `email`
# package parsing the same messages.
#
#   Benchmarks/mail-intake-bench.sh [COUNT]      (COUNT messages, default 10000)
#
# The Maildir is generated from the shared corpora (/work/shared/fixtures/mail, or $DOCKET_MAIL_FIXTURES): the
# messages that open a ticket (no bounces, auto-replies or header-less files) are cycled, each copy given a
# unique Message-ID and its threading headers removed, so every one opens a ticket. Docket's first pass
# parses, files and appends every message (one fsync'd transaction each, attachments written); its second
# pass over the same Maildir finds every message a duplicate (parse + lookup, nothing written), which is the
# closer match to Python's parse-only loop.
set -euo pipefail

count="${1:-10000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
fixtures="${DOCKET_MAIL_FIXTURES:-$root/../shared/fixtures/mail}"
work="$(mktemp -d "${TMPDIR:-/tmp}/docket-mail-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== building the release docket"
(cd "$root" && swift build -c release --product docket >/dev/null)
docket="$root/.build/release/docket"

echo "== generating $count messages from $fixtures"
python3 - "$fixtures" "$work/Maildir" "$count" <<'PY'
import os, re, sys
fixtures, maildir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for sub in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(maildir, sub), exist_ok=True)
good = []
for folder, _, names in sorted(os.walk(fixtures)):
    for name in sorted(names):
        if not name.endswith(".eml"):
            continue
        raw = open(os.path.join(folder, name), "rb").read()
        split = re.search(rb"\r?\n\r?\n", raw)
        if not split:
            continue
        head, body = raw[:split.start()], raw[split.start():]
        lower = head.lower()
        if (b"multipart/report" in lower or b"auto-submitted:" in lower or b"mailer-daemon" in lower
                or b"postmaster@" in lower or b"x-autoreply" in lower or b"\nfrom:" not in b"\n" + lower):
            continue
        # Unfold-aware removal of Message-ID, In-Reply-To and References.
        head = re.sub(rb"(?im)^(message-id|in-reply-to|references):.*(\r?\n[ \t].*)*(\r?\n)?", b"", head)
        eol = b"\r\n" if b"\r\n" in head else b"\n"
        good.append((head.rstrip(b"\r\n"), eol, body))
for i in range(count):
    head, eol, body = good[i % len(good)]
    with open(os.path.join(maildir, "new", "%06d.eml" % i), "wb") as f:
        f.write(b"Message-ID: <bench-%d@docket.bench>" % i + eol + head + body)
print("%d messages from %d distinct corpus messages, %.1f MB" % (
    count, len(good), sum(os.path.getsize(os.path.join(maildir, "new", n)) for n in os.listdir(os.path.join(maildir, "new"))) / 1e6))
PY

export DOCKET_STORE="$work/store" DOCKET_USER=ann
"$docket" init >/dev/null
"$docket" user add intake --name Intake --email intake@msp.example --role dispatcher >/dev/null
"$docket" client add triage --name Triage --time-zone UTC --currency USD >/dev/null

now() { python3 -c 'import time; print(time.perf_counter())'; }
rate() { python3 -c "import sys; n, s = int(sys.argv[1]), float(sys.argv[2]); print(f'{n} messages in {s:.2f} s = {n / s:.0f} msgs/s')" "$@"; }

echo "== docket intake email --maildir (first pass: every message opens a ticket)"
start=$(now)
DOCKET_USER=intake "$docket" intake email --maildir "$work/Maildir" --triage-client triage >"$work/first.txt"
first=$(python3 -c "print($(now) - $start)")
opened=$(grep -c ": opened T-" "$work/first.txt" || true)
lines=$(wc -l <"$work/first.txt")

echo "== docket intake email --maildir (second pass: every message a duplicate)"
start=$(now)
DOCKET_USER=intake "$docket" intake email --maildir "$work/Maildir" --triage-client triage >"$work/second.txt"
second=$(python3 -c "print($(now) - $start)")
duplicates=$(grep -c ": duplicate, already on T-" "$work/second.txt" || true)
"$docket" verify >/dev/null

echo "== python3 email (policy.default)"
python_line=$(python3 "$root/Benchmarks/python_email_parse.py" "$work/Maildir")

echo
echo "results ($(uname -m), $(nproc) cores, $(python3 --version))"
printf '  %-52s %s\n' "docket intake (parse, file, fsync'd append):" "$(rate "$lines" "$first")  [$opened opened]"
printf '  %-52s %s\n' "docket intake, all duplicates (parse + lookup):" "$(rate "$lines" "$second")  [$duplicates duplicates]"
printf '  %-52s %s\n' "python email.message_from_binary_file + walk + body:" "${python_line#*: }"
echo "first-pass outcomes:" $(sed -E 's/^.*: //; s/ T-[0-9]+$//; s/ \(.*//' "$work/first.txt" | sort | uniq -c | sed -E 's/^ *//' | paste -sd, -)
