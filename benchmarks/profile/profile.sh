#!/usr/bin/env bash
# Profiles the token service under code-exchange load (docs/performance.md, "Where the CPU goes"). Not a benchmark:
# the profilers cost CPU themselves, so take the figures per token from scripts/bench, and the shares from here.
#
# The same set-up as scripts/bench (Azurite in memory, the bench host, Release, a local key: PROFILE_ALG, RS256), then:
#   1. a warm-up on all three flows (4000 code exchanges, 2000 refreshes, 2000 client_credentials, as scripts/bench's), not
#      profiled, so that the JIT's tier-up is over;
#   2. code exchanges only (PROFILE_CODES, 12000: enough to last through the windows below at 300 a second; Azurite slows
#      down as its table grows, so more is not always longer; it warns when the exchanges ran out before the last window
#      closed, whose figures then include idle time), during which
#      - perf samples the host for 20 s at 999 Hz with frame-pointer stacks (the runtime writes a perf map of jitted
#        code: DOTNET_PerfMapEnabled=1; DOTNET_EnableWriteXorExecute=0 so that perf can match code addresses to it),
#      - dotnet-trace samples allocations for 10 s (gc-verbose: an event about every 100 KB, with type and stack),
#      - perf samples 5 s more with DWARF stacks (to see which system calls and OpenSSL entry points the time is in),
#      - dotnet-counters records the runtime's counters every 5 s (allocation rate, GC, JIT, CPU) throughout.
# Then it prints perf_areas.py's grouping, the system calls, and AllocationSites' allocation report.
# Needs perf (apt-get install linux-perf) and root or perf_event_paranoid <= 1; installs dotnet-trace and dotnet-counters
# into .tools/. Output in PROFILE_OUT (a new temporary directory).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${PROFILE_OUT:-$(mktemp -d)}"
mkdir -p "$out"
alg=${PROFILE_ALG:-RS256}
codes=${PROFILE_CODES:-12000}
command -v perf >/dev/null || { echo "perf is needed (apt-get install linux-perf)" >&2; exit 2; }
[ -x .tools/dotnet-trace ] || dotnet tool install --tool-path .tools dotnet-trace >/dev/null
[ -x .tools/dotnet-counters ] || dotnet tool install --tool-path .tools dotnet-counters >/dev/null
[ -f node_modules/azurite/package.json ] || npm ci --no-audit --no-fund --loglevel=error
for project in benchmarks/BenchHost benchmarks/LoadGenerator TokenCtl benchmarks/profile/AllocationSites; do
  dotnet build "$project" -c Release --nologo -v quiet >/dev/null
done

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
loadgen() { dotnet "$root/benchmarks/LoadGenerator/bin/Release/net10.0/loadgen.dll" "$@"; }
tokenctl() { dotnet "$root/TokenCtl/bin/Release/net10.0/tokenctl.dll" "$@"; }
random() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))'; }

azurite_port=$(free_port)
node node_modules/azurite/dist/src/table/main.js --tableHost 127.0.0.1 --tablePort "$azurite_port" --inMemoryPersistence --skipApiVersionCheck --silent >/dev/null 2>&1 &
azurite=$!
host=
trap 'kill $azurite $host 2>/dev/null || true' EXIT
wait_port "$azurite_port"
export Tables__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"

verifier="$(random)"
challenge="$(node -e 'console.log(require("crypto").createHash("sha256").update(process.argv[1]).digest("base64url"))' -- "$verifier")"
client_id=bench-profile
redirect_uri=https://bench.example/callback
secret="$(tokenctl client add --id "$client_id" --generate-secret --redirect-uri "$redirect_uri" --scope api \
  --grant authorization_code --grant refresh_token --grant client_credentials)"
issue() { tokenctl code issue --client "$client_id" --redirect-uri "$redirect_uri" --code-challenge "$challenge" --subject bench-user --scope api --lifetime 600 --count "$1"; }
issue 4100 >"$out/warm-codes.txt"
issue "$codes" >"$out/codes.txt"

port=$(free_port)
export BENCH_URL="http://127.0.0.1:$port" Token__Issuer="http://localhost:$port" Token__Audience=https://api.example.com \
  Signing__LocalKeyPath="$out/signing-key.pem" Signing__LocalKeyAlgorithm="$alg" Tables__CreateTablesIfMissing=false
# The perf map for the host alone (the runtime writes it to /tmp/perf-PID.map; moved to the output at the end).
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet benchmarks/BenchHost/bin/Release/net10.0/BenchHost.dll >"$out/host.log" 2>&1 &
host=$!
wait_port "$port"
run=(--token-endpoint "http://127.0.0.1:$port/api/v1/oauth/token" --client-id "$client_id" --client-secret "$secret"
  --redirect-uri "$redirect_uri" --scope api --verifier "$verifier" --server-pid "$host" --azurite-pid "$azurite"
  --counters "http://127.0.0.1:$port/bench/counters")

.tools/dotnet-counters collect -p "$host" --counters System.Runtime --format csv --refresh-interval 5 -o "$out/counters.csv" >/dev/null 2>&1 &
counters=$!
echo "== warm-up (load average $(cut -d' ' -f1-3 /proc/loadavg))"
loadgen run --name warm "${run[@]}" --codes "$out/warm-codes.txt" --warmup 4000 --refreshes 2000 --client-credentials 2000 --out "$out/warm.json" >/dev/null
echo "== code exchanges, profiled (load average $(cut -d' ' -f1-3 /proc/loadavg))"
loadgen run --name ours "${run[@]}" --codes "$out/codes.txt" --warmup 1 --refreshes 4 --client-credentials 1 --out "$out/run.json" >"$out/run.log" &
load=$!
sleep 3
perf record -F 999 -g -p "$host" -o "$out/perf.data" -- sleep 20 2>/dev/null
.tools/dotnet-trace collect -p "$host" --profile gc-verbose --duration 00:00:00:10 -o "$out/allocations.nettrace" >/dev/null
perf record -F 499 --call-graph dwarf -p "$host" -o "$out/perf-dwarf.data" -- sleep 5 2>/dev/null
kill -0 "$load" 2>/dev/null || echo "warning: the exchanges ran out before the last window closed; its figures include idle time (raise PROFILE_CODES)"
wait "$load" || true
kill -INT "$counters" 2>/dev/null || true
head -1 "$out/run.log"
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

kill "$host" 2>/dev/null || true
perf script -i "$out/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null >"$out/perf.txt"
perf script -i "$out/perf-dwarf.data" -F comm,tid,ip,sym,dso 2>/dev/null >"$out/perf-dwarf.txt"
mv "/tmp/perf-$host.map" "$out/" 2>/dev/null || true
python3 benchmarks/profile/perf_areas.py "$out/perf.txt"
echo
echo "== system calls in kernel samples (DWARF window)"
# None when the window saw no load (grep finds nothing then): not a reason to stop before the allocation report.
{ grep -o '__x64_sys_[a-z_0-9]*' "$out/perf-dwarf.txt" || true; } | sort | uniq -c | sort -rn | head -8
echo
dotnet benchmarks/profile/AllocationSites/bin/Release/net10.0/AllocationSites.dll "$out/allocations.nettrace"
echo
echo "(traces, perf data and counters in $out)"
