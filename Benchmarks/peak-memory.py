#!/usr/bin/env python3
"""Runs a command and reports its wall time and peak private (anonymous) and file-backed resident memory.

    peak-memory.py LABEL -- COMMAND [ARGS...]

Prints one line to stdout: `LABEL: 12.34 s wall, 10.20 s CPU, peak anon 123.4 MiB, peak file 456.7 MiB, exit 0`.
CPU is the child's user + system time: on a machine shared with other work it moves less than wall time.
The command's own stdout goes to /dev/null; its stderr is kept. Memory is sampled from /proc/PID/status
(RssAnon, RssFile) every 20 ms, so a peak shorter than that can be missed.
"""
import os
import subprocess
import sys
import time


def sample(pid):
    anon = file = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
                elif line.startswith("RssFile:"):
                    file = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return anon, file


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: peak-memory.py LABEL -- COMMAND [ARGS...]")
    label, command = sys.argv[1], sys.argv[3:]
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak_anon = peak_file = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            break
        anon, file = sample(process.pid)
        peak_anon, peak_file = max(peak_anon, anon), max(peak_file, file)
        time.sleep(0.02)
    wall = time.monotonic() - start
    cpu = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak anon {peak_anon / 1024:.1f} MiB, "
          f"peak file {peak_file / 1024:.1f} MiB, exit {code}", flush=True)


main()
