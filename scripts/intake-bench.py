#!/usr/bin/env python3
"""Measures intake through the webhooks with real clients on loopback (issue 13): alerts/s through
POST /hooks/alertmanager/<source> (http.client, one keep-alive connection), mails/s through POST /hooks/mail and
through LMTP (smtplib.LMTP, one connection per message, as Postfix's lmtp client does by default).

    intake-bench.py --http http://127.0.0.1:8642 --alert-secret dkh_… --mail-secret dkh_… [--lmtp 127.0.0.1:2424] [--count N]

Each alert has its own fingerprint (each opens a ticket); each mail its own Message-ID (each opens a ticket).
Prints one line per measurement.
"""
import argparse
import http.client
import json
import smtplib
import time
import urllib.parse
import uuid


def alertmanager_body(start, size):
    alerts = []
    for i in range(start, start + size):
        alerts.append({
            "status": "firing",
            "labels": {"alertname": "BenchAlert", "instance": f"host-{i}", "severity": "warning"},
            "annotations": {"summary": f"bench alert {i}"},
            "startsAt": "2026-12-03T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": f"bench{i:012x}",
        })
    return json.dumps({"version": "4", "status": "firing", "receiver": "docket", "groupKey": f"g{start}",
                       "truncatedAlerts": 0, "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
                       "externalURL": "http://am", "alerts": alerts}).encode()


def mail(i):
    return (f"From: Bench User <user{i}@acme.example>\r\nTo: support@msp.example\r\nSubject: bench mail {i}\r\n"
            f"Message-ID: <{uuid.uuid4()}@bench.example>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\n"
            f"The printer on floor {i} is jammed.\r\n").encode()


def post_all(url, path, bodies, headers):
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    start = time.monotonic()
    for body in bodies:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {data[:200]!r}")
    return time.monotonic() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--http", required=True)
    p.add_argument("--alert-secret", required=True)
    p.add_argument("--mail-secret")
    p.add_argument("--lmtp")
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--group", type=int, default=20)
    p.add_argument("--only-lmtp", action="store_true")
    a = p.parse_args()
    if a.only_lmtp:
        return lmtp(a)
    auth = {"Authorization": f"Bearer {a.alert_secret}", "Content-Type": "application/json"}
    n = a.count
    seconds = post_all(a.http, "/hooks/alertmanager/prom", [alertmanager_body(i, 1) for i in range(n)], auth)
    print(f"alertmanager webhook, 1 alert per notification: {n} alerts in {seconds:.2f} s = {n / seconds:.0f} alerts/s")
    groups = [alertmanager_body(100000 + i * a.group, a.group) for i in range(max(1, n // a.group))]
    seconds = post_all(a.http, "/hooks/alertmanager/prom", groups, auth)
    total = len(groups) * a.group
    print(f"alertmanager webhook, {a.group} alerts per notification (one transaction each): {total} alerts in {seconds:.2f} s = {total / seconds:.0f} alerts/s")
    if a.mail_secret:
        headers = {"Authorization": f"Bearer {a.mail_secret}", "Content-Type": "message/rfc822"}
        seconds = post_all(a.http, "/hooks/mail", [mail(i) for i in range(n)], headers)
        print(f"POST /hooks/mail: {n} mails in {seconds:.2f} s = {n / seconds:.0f} mails/s")
    if a.lmtp:
        lmtp(a)


def lmtp(a):
    n = a.count
    if a.lmtp:
        host, port = a.lmtp.rsplit(":", 1)
        start = time.monotonic()
        for i in range(n):
            client = smtplib.LMTP(host, int(port), local_hostname="bench.example")
            client.sendmail("mta@msp.example", ["support@msp.example"], mail(100000 + i))
            client.quit()
        seconds = time.monotonic() - start
        print(f"LMTP (smtplib.LMTP, a connection per mail): {n} mails in {seconds:.2f} s = {n / seconds:.0f} mails/s")


if __name__ == "__main__":
    main()
