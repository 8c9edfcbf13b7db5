#!/usr/bin/env bash
# Runs Catalyst standalone on Azurite: installs the pinned Azurite when missing, starts it when nothing answers
# on the storage endpoints (data under .data/azurite), runs the app, and stops what it started on exit.
# Any argument is passed to the app. Settings come from the environment (see README, Configuration).
#   --sandbox  instead of the bare app, run a sandbox (sandbox/Catalyst.Sandbox): loopback fakes for tofu, the new cluster's
#              Kubernetes API, Dynadot and Hetzner; the app in sandbox mode (CATALYST_SANDBOX=true, so it cannot reach
#              a real cloud) on PORT or the next free port; one pool Sovereign provisioned through the HTTP API, its
#              progress printed until it is ready; then the service keeps running. Ctrl-C stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

storage=${AzureWebJobsStorage:-UseDevelopmentStorage=true}
port_of() { # port of the named endpoint in the connection string, Azurite's default otherwise
  local name=$1 default=$2 endpoint
  endpoint=$(tr ';' '\n' <<<"$storage" | sed -n "s/^${name}Endpoint=//Ip" | head -n1)
  if [[ -n $endpoint ]]; then sed -E 's#^[a-z]+://[^:/]+:([0-9]+).*#\1#' <<<"$endpoint"; else echo "$default"; fi
}
blob_port=$(port_of Blob 10000); queue_port=$(port_of Queue 10001); table_port=$(port_of Table 10002)
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

azurite_pid=""
cleanup() { [[ -n $azurite_pid ]] && kill "$azurite_pid" 2>/dev/null && wait "$azurite_pid" 2>/dev/null; true; }
trap cleanup EXIT

if ! answers "$blob_port"; then
  if [[ ! -x node_modules/.bin/azurite ]]; then
    echo "run: installing the pinned Azurite (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  mkdir -p .data/azurite
  echo "run: starting Azurite on 127.0.0.1:$blob_port/$queue_port/$table_port (data in .data/azurite)" >&2
  node_modules/.bin/azurite --silent --skipApiVersionCheck --location .data/azurite \
    --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" >.data/azurite.log 2>&1 &
  azurite_pid=$!
  for _ in $(seq 1 100); do answers "$blob_port" && answers "$queue_port" && answers "$table_port" && break; sleep 0.1; done
fi

sandbox=false
if [[ ${1:-} == --sandbox ]]; then sandbox=true; shift; fi
if $sandbox; then
  # The sandbox project builds the app and the fake tofu too (project references), all in Release.
  dotnet build sandbox/Catalyst.Sandbox/Catalyst.Sandbox.csproj -c Release --nologo -v quiet >&2
  export AzureWebJobsStorage=$storage
  dotnet sandbox/Catalyst.Sandbox/bin/Release/net10.0/Catalyst.Sandbox.dll "$@" &
  app_pid=$!
  trap 'kill -TERM $app_pid 2>/dev/null' INT TERM
  wait $app_pid || true
  wait $app_pid 2>/dev/null || true
  exit 0
fi
dotnet build src/Functions/Catalyst.Functions.csproj -c Release --nologo -v quiet >&2
export CATALYST_DATA_DIR=${CATALYST_DATA_DIR:-$root/.data}
# A local run is an open API (no sign-in) on loopback only, unless the environment says otherwise (README, Security).
export CATALYST_AUTH_MODE=${CATALYST_AUTH_MODE:-off}
export CATALYST_BIND_ADDRESS=${CATALYST_BIND_ADDRESS:-127.0.0.1}
# Local runs are development: without CATALYST_VAULT_KEY the app generates one into .data/vault.key (with a warning).
export DOTNET_ENVIRONMENT=${DOTNET_ENVIRONMENT:-Development}
# The module and tofu's scratch space in the checkout rather than the image paths (/infra/hetzner, /var/lib/catalyst).
export CATALYST_TOFU_MODULE_PATH=${CATALYST_TOFU_MODULE_PATH:-$root/infra/hetzner}
export CATALYST_TOFU_WORKDIR=${CATALYST_TOFU_WORKDIR:-$root/.data/tofu}
dotnet src/Functions/bin/Release/net10.0/Catalyst.Functions.dll "$@" &
app_pid=$!
trap 'kill -TERM $app_pid 2>/dev/null' INT TERM
wait $app_pid || true
wait $app_pid 2>/dev/null || true
