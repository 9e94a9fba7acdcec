#!/usr/bin/env python3
"""Deliver .eml files over LMTP (RFC 2033) with Python's smtplib.LMTP, a real LMTP client.

    lmtp-send.py --to support@msp.example [--to …] (--socket PATH | --host H --port P | --exec 'CMD ARG…') FILE…

--exec starts CMD once per connection with its stdin and stdout on a socket (how inetd or a systemd socket with
Accept=yes runs `docket intake lmtp`). Each message is one connection: LHLO, MAIL FROM, RCPT TO per recipient,
DATA, then one reply per accepted recipient (smtplib reads the first; the rest are read here), QUIT.
Prints one JSON line per file: {"file": …, "replies": [[code, text], …]} and, with --timing, a last line with the
messages per second.
"""
import argparse
import json
import shlex
import smtplib
import socket
import subprocess
import sys
import time


def connect(args):
    if args.exec:
        parent, child = socket.socketpair()
        process = subprocess.Popen(args.exec, stdin=child, stdout=child, close_fds=True)
        child.close()
        client = smtplib.LMTP(local_hostname="lmtp-send.example")
        client.sock = parent
        client.file = None
        code, text = client.getreply()
        if code != 220:
            raise RuntimeError(f"greeting {code} {text!r}")
        return client, process
    client = smtplib.LMTP(local_hostname="lmtp-send.example")
    if args.socket:
        client.connect(args.socket)
    else:
        client.connect(args.host, args.port)
    return client, None


def deliver(args, path):
    with open(path, "rb") as f:
        message = f.read()
    client, process = connect(args)
    try:
        client.ehlo_or_helo_if_needed()
        code, text = client.mail(args.sender)
        if code != 250:
            return [[code, text.decode(errors="replace")]] * len(args.to)
        accepted = []
        replies = []
        for rcpt in args.to:
            code, text = client.rcpt(rcpt)
            if code == 250:
                accepted.append(rcpt)
            replies.append([code, text.decode(errors="replace")])
        if accepted:
            code, text = client.data(message)
            after = [[code, text.decode(errors="replace")]]
            for _ in accepted[1:]:
                code, text = client.getreply()
                after.append([code, text.decode(errors="replace")])
            replies = after
        client.quit()
        return replies
    finally:
        client.close()
        if process:
            process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--to", action="append", required=True)
    parser.add_argument("--sender", default="mta@msp.example")
    parser.add_argument("--socket")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2424)
    parser.add_argument("--timing", action="store_true")
    parser.add_argument("--exec", type=shlex.split, help="a command line, split like a shell would")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = args.files
    start = time.monotonic()
    for path in files:
        print(json.dumps({"file": path, "replies": deliver(args, path)}), flush=True)
    if args.timing:
        elapsed = time.monotonic() - start
        print(json.dumps({"messages": len(files), "seconds": round(elapsed, 3), "perSecond": round(len(files) / elapsed, 1)}))


if __name__ == "__main__":
    sys.exit(main())
