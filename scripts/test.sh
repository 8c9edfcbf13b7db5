#!/usr/bin/env bash
# Runs every test: installs the pinned Node tools when missing (Azurite, the HCL parser, the SMTP server), builds, then runs
# `dotnet test` on the solution. Tests start their own Azurite and app processes on free loopback ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ ! -d node_modules/azurite || ! -d node_modules/@cdktf/hcl2json || ! -d node_modules/smtp-server || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "test: installing the pinned Node tools (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
dotnet build Catalyst.sln -c Release --nologo -v quiet
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Catalyst.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over the test assemblies.
awk -F'[:,]' '/^(Passed|Failed)! +- +Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit $status
