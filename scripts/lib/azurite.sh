# Azurite (the Storage emulator, from package.json) for the repository's scripts; sourced, not run.
#   azurite_install              npm ci unless node_modules already holds Azurite
#   azurite_listening PORT       whether something answers on 127.0.0.1:PORT
#   azurite_wait PORT WHAT       waits up to a minute for PORT, else fails naming WHAT
#   azurite_start SERVICE PORT [ARGS...]
#                                starts Azurite's blob, queue or table service on 127.0.0.1:PORT in the background
#                                (extra ARGS: --location DIR, --inMemoryPersistence, ...), waits for it, and leaves its
#                                process id in AZURITE_PID; output goes to $AZURITE_LOG (default /dev/null)
#   azurite_connection_string [table=PORT] [blob=PORT] [queue=PORT]
#                                a connection string for the well-known development account and the given endpoints
# The scripts that source this run from the repository root.

# Azurite's published development account: a well-known value, not a secret.
AZURITE_ACCOUNT_NAME="devstoreaccount1"
AZURITE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

azurite_install() {
  [ -f node_modules/azurite/package.json ] || npm ci --no-audit --no-fund --loglevel=error
}

azurite_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

azurite_wait() {
  for _ in $(seq 1 300); do azurite_listening "$1" && return 0; sleep 0.2; done
  echo "$2 did not start on port $1" >&2
  return 1
}

azurite_start() {
  local service="$1" port="$2"
  shift 2
  node "node_modules/azurite/dist/src/$service/main.js" "--${service}Host" 127.0.0.1 "--${service}Port" "$port" \
    --skipApiVersionCheck --silent "$@" >"${AZURITE_LOG:-/dev/null}" 2>&1 &
  AZURITE_PID=$!
  azurite_wait "$port" "Azurite ($service)"
}

azurite_connection_string() {
  local endpoints="" pair
  for pair in "$@"; do
    case "${pair%%=*}" in
      table) endpoints+="TableEndpoint=http://127.0.0.1:${pair#*=}/$AZURITE_ACCOUNT_NAME;" ;;
      blob) endpoints+="BlobEndpoint=http://127.0.0.1:${pair#*=}/$AZURITE_ACCOUNT_NAME;" ;;
      queue) endpoints+="QueueEndpoint=http://127.0.0.1:${pair#*=}/$AZURITE_ACCOUNT_NAME;" ;;
    esac
  done
  echo "DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT_NAME;AccountKey=$AZURITE_ACCOUNT_KEY;$endpoints"
}
