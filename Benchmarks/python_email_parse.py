#!/usr/bin/env python3
"""Parses every message of a Maildir (DIR/new and DIR/cur, or the files of DIR itself) with Python's standard
`email` package and prints the rate in messages per second.

Per message: email.message_from_binary_file(f, policy=policy.default), the Subject, From and Message-ID
headers, a walk over every MIME part (content type, and filename for attachments) and the text body
(get_body(preferencelist=("plain", "html")).get_content()) — about what `docket intake email` reads.

Usage: python3 Benchmarks/python_email_parse.py DIR
"""

import email
import os
import sys
import time
from email import policy


def files_of(folder):
    subs = [os.path.join(folder, s) for s in ("new", "cur") if os.path.isdir(os.path.join(folder, s))]
    for sub in subs or [folder]:
        for name in sorted(os.listdir(sub)):
            if not name.startswith("."):
                yield os.path.join(sub, name)


def parse(path):
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=policy.default)
    facts = [str(message.get("Subject", "")), str(message.get("From", "")), str(message.get("Message-ID", ""))]
    for part in message.walk():
        facts.append(part.get_content_type())
        if part.get_content_disposition() == "attachment":
            facts.append(part.get_filename() or "")
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    return len(text) + sum(len(f) for f in facts)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    paths = list(files_of(sys.argv[1]))
    failures = 0
    start = time.perf_counter()
    for path in paths:
        try:
            parse(path)
        except Exception:  # the benchmark counts failures; it does not stop on them
            failures += 1
    elapsed = time.perf_counter() - start
    rate = len(paths) / elapsed if elapsed > 0 else float("inf")
    print(f"python email (policy.default): {len(paths)} messages in {elapsed:.2f} s = {rate:.0f} msgs/s"
          f" ({failures} raised)")


if __name__ == "__main__":
    main()
