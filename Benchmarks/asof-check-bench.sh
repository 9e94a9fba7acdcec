#!/usr/bin/env bash
# Issue 10 §5: `docket replay --as-of` the last month end of a store, linked to its snapshot's file, with the file
# checked in pieces on every core (the manifest's `fileDigest`, PieceDigest) next to the same replay with the
# manifest rewritten as an older release wrote it (`fileSHA256`, one sequential SHA-256 pass), alternated, same
# binary, same snapshot:
#
#   Benchmarks/asof-check-bench.sh DOCKET LIVE [RUNS]
#
# DOCKET is a release `docket`, LIVE a copy of a store seeded by `seed-billing STORE N --sla` whose snapshots were
# taken (`docket snapshot take --store LIVE`; the script rewrites the newest snapshot's manifest and puts it back).
set -euo pipefail
docket="$1" live="$2" runs="${3:-3}"
export DOCKET_USER=ann
snap=$(ls -d "$live"/snapshots/20* | tail -1); month=$(basename "$snap")
before=$(python3 -c "import json;print(json.load(open('$snap/SNAPSHOT'))['before'])")
moment=$(python3 -c "
import datetime;b=datetime.datetime.fromisoformat('$before'.replace('Z','+00:00'));print((b-datetime.timedelta(milliseconds=1)).isoformat(timespec='milliseconds').replace('+00:00','Z'))")
echo "snapshot $month: $(stat -c %s "$snap/data.mdb") bytes; as of $moment"
cp "$snap/SNAPSHOT" /tmp/SNAPSHOT.pieces
sum=$(sha256sum "$snap/data.mdb" | cut -d' ' -f1)
python3 - "$snap/SNAPSHOT" "$sum" /tmp/SNAPSHOT.seq <<'PY'
import json,sys
o=json.load(open(sys.argv[1])); o.pop('fileDigest',None); o['fileSHA256']=sys.argv[2]
json.dump(o,open(sys.argv[3],'w'),sort_keys=True,indent=2)
PY
for r in $(seq 1 "$runs"); do
  for kind in pieces seq; do
    cp /tmp/SNAPSHOT.$kind "$snap/SNAPSHOT"
    rm -rf /tmp/asof-out
    /usr/bin/time -f "run $r $kind: %e s wall, %U user + %S sys" "$docket" replay --store "$live" --as-of "$moment" --into /tmp/asof-out > /tmp/asof-out.txt 2>/tmp/asof-err.txt || { cat /tmp/asof-err.txt; exit 1; }
    tail -1 /tmp/asof-err.txt; grep -q "linked" /tmp/asof-out.txt || echo "  NOT linked"; { grep -c warning /tmp/asof-err.txt || true; } | sed 's/^/  warnings: /'
    echo "  (load: $(uptime | sed 's/.*load average: //'))"
  done
done
cp /tmp/SNAPSHOT.pieces "$snap/SNAPSHOT"
rm -rf /tmp/asof-out
