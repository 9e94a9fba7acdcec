#!/usr/bin/env bash
# Installs what Docket needs from Debian when it is missing: liblmdb-dev (the store), libmimalloc-dev (the
# allocator docket links), pkg-config,
# python3-jsonschema (schema tests), lmdb-utils (mdb_dump: the damaged-store tests' independent reader),
# prometheus-alertmanager (a real Alertmanager for the webhook tests), postfix (a real mail server for the mail
# round-trip test, installed unconfigured: the test runs its own instance on loopback ports), and curl and wrk (the server tests' HTTP
# client and load generator), and chromium, chromium-driver and python3-selenium (the portal's real-browser test).
set -euo pipefail
# One run at a time (the demo and the tests may be started together: both call this), checking after the wait, so
# the second finds what the first installed; apt-get also waits for any other user of apt's locks.
exec 9>"${TMPDIR:-/tmp}/docket-ensure-deps.lock"
flock 9
missing=()
dpkg -s liblmdb-dev >/dev/null 2>&1 || missing+=(liblmdb-dev)
dpkg -s libmimalloc-dev >/dev/null 2>&1 || missing+=(libmimalloc-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
python3 -c "import jsonschema" >/dev/null 2>&1 || missing+=(python3-jsonschema)
command -v mdb_dump >/dev/null 2>&1 || missing+=(lmdb-utils)
# A real Alertmanager for the webhook tests (issue 13); they are skipped with a note when it cannot be installed.
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
# A real Postfix for the mail round trip (PostfixRoundTripTests), installed with "No configuration": the system's
# own Postfix is not set up or started; the test writes and starts a private instance in a temporary folder.
if [ ! -x /usr/sbin/postfix ]; then
  missing+=(postfix)
  echo "postfix postfix/main_mailer_type select No configuration" | { [ "$(id -u)" -ne 0 ] && sudo debconf-set-selections || debconf-set-selections; }
fi
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# A real browser for the client portal's test (issue 13): headless Chromium driven by Selenium.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# Debian's python3-selenium goes to Debian's own Python, which a pyenv or virtualenv python3 may shadow on the PATH:
# the test then runs the browser script with /usr/bin/python3.
python3 -c "import selenium" >/dev/null 2>&1 || /usr/bin/python3 -c "import selenium" >/dev/null 2>&1 || missing+=(python3-selenium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2
fi
