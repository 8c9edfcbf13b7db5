#!/usr/bin/env bash
# Runs every test: installs the pinned Node tools when missing (Azurite, the HCL parser, the manifest validators, the SMTP server)
# and, as root, kubectl (Debian's kubernetes-client) and chromium, builds, then runs `dotnet test` on the solution. Tests start
# their own Azurite and app processes on free loopback ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ ! -d node_modules/azurite || ! -d node_modules/@cdktf/hcl2json || ! -d node_modules/kubernetes-models || ! -d node_modules/ajv \
      || ! -d node_modules/yaml || ! -d node_modules/smtp-server || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "test: installing the pinned Node tools (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
# The Deploy tests render deploy/keda with `kubectl kustomize`; Debian's kubernetes-client provides kubectl.
if ! command -v kubectl >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "test: installing kubectl (Debian's kubernetes-client)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends kubernetes-client >&2
  else
    echo "test: kubectl is missing and this is not root: the Deploy tests will fail (apt-get install kubernetes-client)" >&2
  fi
fi
# The console's browser tests (tests/Console.Tests) drive Debian's chromium with Playwright; no browser is downloaded.
if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "test: installing chromium (Debian's)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium >&2
  else
    echo "test: chromium is missing and this is not root: the Console tests will fail (apt-get install chromium)" >&2
  fi
fi
dotnet build Catalyst.sln -c Release --nologo -v quiet
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Catalyst.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over the test assemblies (minimal or normal console verbosity).
awk '/^(Passed|Failed)! +- +Failed:/ { split($0, a, /[:,]/); f += a[2]; p += a[4]; s += a[6]; short = 1 }
  /^ +Passed: +[0-9]+ *$/ { split($0, a, ":"); lp += a[2] }
  /^ +Failed: +[0-9]+ *$/ { split($0, a, ":"); lf += a[2] }
  /^ +Skipped: +[0-9]+ *$/ { split($0, a, ":"); ls += a[2] }
  END { if (!short) { p = lp; f = lf; s = ls } printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
