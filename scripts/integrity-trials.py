#!/usr/bin/env python3
"""Issue 14's integrity trials, re-measurable: bit flips on copies of a populated store, meta-page rollbacks,
`verify` during concurrent appends, and kill -9 during import. Bounded in time; prints one table.

    scripts/integrity-trials.py [--docket .build/debug/docket] [--flips 400] [--in-use 100] [--meta 100]
                                [--appends 1000] [--kills 100] [--work /tmp/docket-trials] [--seed N]

Needs `mdb_dump` and `mdb_stat` (Debian lmdb-utils): `mdb_dump -a` is the independent reader that says whether
a flip changed what the store holds (an event, an index or a read model) or left it as it was (a free page).
"""
import argparse, json, os, random, shutil, signal, struct, subprocess, sys, time

P = argparse.ArgumentParser()
P.add_argument("--docket", default=".build/debug/docket")
P.add_argument("--flips", type=int, default=400)
P.add_argument("--in-use", type=int, default=100)
P.add_argument("--meta", type=int, default=100)
P.add_argument("--appends", type=int, default=1000)
P.add_argument("--kills", type=int, default=100)
P.add_argument("--tickets", type=int, default=250)
P.add_argument("--work", default="/tmp/docket-trials")
P.add_argument("--seed", type=int, default=int(time.time()))
A = P.parse_args()
DOCKET = os.path.abspath(A.docket)
rng = random.Random(A.seed)
ENV = {k: v for k, v in dict(os.environ, DOCKET_USER="ann").items() if k != "DOCKET_NOW"}


def docket(args, store, stdin=None, timeout=120):
    """(exit status or -signal, stdout, stderr); 'hang' when the deadline passed."""
    try:
        p = subprocess.run([DOCKET] + args, env=dict(ENV, DOCKET_STORE=store), input=stdin, capture_output=True,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "hang", "", ""


def must(args, store, stdin=None):
    status, out, err = docket(args, store, stdin)
    if status != 0:
        sys.exit(f"setup failed: docket {' '.join(args)}: {err}")
    return out


def populate(store):
    """~3.3k events: tickets opened, commented, assigned and half closed with time, then bulk notes."""
    must(["init"], store)
    must(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], store)
    must(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"], store)
    for n in range(A.tickets):
        must(["ticket", "open", "--client", "acme", "--subject", f"Printer {n}", "--priority", f"P{n % 4 + 1}"], store)
        t = f"T-{1001 + n}"
        must(["ticket", "comment", t, f"Looked at printer {n}"], store)
        must(["ticket", "assign", t, "--to", "bob"], store)
        if n % 2 == 0:
            must(["ticket", "close", t, "--resolution", "Cleared", "--time", f"{15 + n % 60}m"], store)
    head = json.loads(must(["verify", "--log-only", "--json"], store))["head"]
    lines = "".join(json.dumps({"stream": f"note-{i % 50}", "type": "note.added", "payload": {"i": i}}) + "\n"
                    for i in range(max(0, 3300 - head)))
    must(["event", "append", "--stdin", "--batch", "200"], store, stdin=lines.encode())


def dump(store):
    """What an independent reader sees: database name -> entries; None when it cannot read the file."""
    try:
        p = subprocess.run(["mdb_dump", "-a", store], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        return None
    out = {}
    for section in p.stdout.split(b"VERSION=3\n")[1:]:
        header, _, body = section.partition(b"HEADER=END\n")
        name = ([l[9:] for l in header.split(b"\n") if l.startswith(b"database=")] or [b""])[0]
        out[name] = body
    return out


def head_of(store):
    status, out, _ = docket(["verify", "--log-only", "--json"], store)
    try:
        return json.loads(out)["head"]
    except Exception:
        return None


def pages_in_use(store, size):
    text = subprocess.run(["mdb_stat", "-fff", store], capture_output=True).stdout.decode()
    free, listing = set(), False
    for line in text.splitlines():
        if line.strip().startswith("Transaction"):
            listing = True
            continue
        if listing and line.strip() and all(tok.isdigit() for tok in line.split()):
            first = int(line.split()[0])
            count = int(line.split()[1]) if len(line.split()) > 1 else 1
            free.update(range(first, first + count))
            continue
        listing = False
    return [p for p in range(2, size // 4096) if p not in free]


def flip_trial(original, work, offset, bit, before, head):
    """One flipped copy: 'crash', 'hang', 'detected', 'harmless' or 'silently wrong' (+ rollback info)."""
    copy = os.path.join(work, "copy")
    shutil.rmtree(copy, ignore_errors=True)
    os.mkdir(copy, 0o700)
    data = bytearray(open(os.path.join(original, "data.mdb"), "rb").read())
    data[offset] ^= bit
    open(os.path.join(copy, "data.mdb"), "wb").write(data)
    if os.path.exists(os.path.join(original, "anchors")):
        shutil.copy(os.path.join(original, "anchors"), os.path.join(copy, "anchors"))
    after = dump(copy)
    changed = after is None or after != before
    runs = [docket(["verify"], copy), docket(["export"], copy), docket(["stats", "--read-models", "--json"], copy)]
    names = ["verify", "export", "stats --read-models"]
    if any(r[0] == "hang" for r in runs):
        print(f"  hang: offset {offset} bit {bit}: {[n for n, r in zip(names, runs) if r[0] == 'hang']}")
        return "hang", False
    if any(isinstance(r[0], int) and r[0] < 0 for r in runs):
        for n, r in zip(names, runs):
            if isinstance(r[0], int) and r[0] < 0:
                frames = [l.strip() for l in r[2].splitlines() if l.strip()[:1].isdigit() or "crashed" in l][:4]
                print(f"  crash: offset {offset} bit {bit}: docket {n} signal {-r[0]}: {frames}")
        return "crash", False
    verify_status = runs[0][0]
    # A rollback: the store opens at an older head than it had, and nothing said so.
    new_head = head_of(copy) if verify_status == 0 else None
    rolled_back = new_head is not None and new_head < head
    write = docket(["event", "append", "--stream", "probe-1", "--type", "probe.x", "--payload", "{}"], copy)
    if rolled_back:
        return ("rollback detected" if write[0] != 0 or verify_status != 0 else "rollback undetected"), True
    if verify_status == 2 or (isinstance(verify_status, int) and verify_status not in (0,)):
        return "detected", False
    if changed:
        print(f"  silently wrong: offset {offset} bit {bit}")
    return ("silently wrong" if changed else "harmless"), False


def flips(name, original, work, offsets):
    before = dump(original)
    head = head_of(original)
    tally = {}
    for offset in offsets:
        outcome, _ = flip_trial(original, work, offset, 1 << rng.randrange(8), before, head)
        tally[outcome] = tally.get(outcome, 0) + 1
    print(f"| {name} ({len(offsets)}) | " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.items())) + " |", flush=True)
    return tally


def meta_rollback(original, work):
    """The issue's reproducer: flip the top bit of the older meta page's txnid."""
    data = open(os.path.join(original, "data.mdb"), "rb").read()
    t0, t1 = struct.unpack_from("<Q", data, 144)[0], struct.unpack_from("<Q", data, 4096 + 144)[0]
    older = 0 if t0 < t1 else 1
    outcome, _ = flip_trial(original, work, older * 4096 + 144 + 7, 0x80, dump(original), head_of(original))
    print(f"| older meta page's txnid, top bit (the reproducer) | {outcome} |", flush=True)


def concurrent_verify(work):
    store = os.path.join(work, "concurrent")
    shutil.rmtree(store, ignore_errors=True)
    must(["init"], store)
    lines = "".join(json.dumps({"stream": f"load-{i % 7}", "type": "load.noted", "payload": {"n": i}}) + "\n"
                    for i in range(A.appends))
    writer = subprocess.Popen([DOCKET, "event", "append", "--stdin", "--batch", "1"], env=dict(ENV, DOCKET_STORE=store),
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    writer.stdin.write(lines.encode())
    writer.stdin.close()
    runs = alarms = 0
    while writer.poll() is None:
        status, out, err = docket(["verify"], store)
        runs += 1
        if status != 0:
            alarms += 1
            print("  false alarm:", out.strip()[:200], err.strip()[:200])
    print(f"| verify during {A.appends} concurrent appends | {runs} runs, {alarms} false alarms |", flush=True)


def killed_imports(original, work):
    export = os.path.join(work, "log.ndjson")
    must(["export", "-o", export], original)
    expected = open(export, "rb").read()
    started = time.time()
    must(["import", export], os.path.join(work, "timing"))
    duration = time.time() - started
    differences = resumed = 0
    for trial in range(A.kills):
        target = os.path.join(work, "import")
        shutil.rmtree(target, ignore_errors=True)
        p = subprocess.Popen([DOCKET, "import", export], env=dict(ENV, DOCKET_STORE=target),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration))
        p.send_signal(signal.SIGKILL)
        p.wait()
        status, _, err = docket(["import", export], target)
        resumed += "importing the rest" in err
        again = os.path.join(work, "again.ndjson")
        s2, _, _ = docket(["export", "-o", again], target)
        if status != 0 or s2 != 0 or open(again, "rb").read() != expected:
            differences += 1
            print(f"  trial {trial}: import exit {status}: {err.strip()[:200]}")
    print(f"| {A.kills} kill -9 during import ({duration:.2f} s each) + re-run | {differences} differences "
          f"({resumed} re-runs resumed a partial import) |", flush=True)


def main():
    work = os.path.abspath(A.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    original = os.path.join(work, "original")
    print(f"seed {A.seed}; populating…", flush=True)
    populate(original)
    size = os.path.getsize(os.path.join(original, "data.mdb"))
    print(f"store: {head_of(original)} events, data.mdb {size} bytes, anchors file: {os.path.exists(os.path.join(original, 'anchors'))}")
    print("| trial set | outcomes |\n|---|---|")
    flips("random flips anywhere in data.mdb", original, work, [rng.randrange(size) for _ in range(A.flips)])
    used = pages_in_use(original, size)
    flips("flips on bytes of pages in use", original, work,
          [rng.choice(used) * 4096 + rng.randrange(4096) for _ in range(A.in_use)])
    flips("flips on the two LMDB meta pages", original, work, [rng.randrange(2 * 4096) for _ in range(A.meta)])
    meta_rollback(original, work)
    concurrent_verify(work)
    killed_imports(original, work)


main()
