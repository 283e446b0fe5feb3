#!/usr/bin/env bash
# Builds the libFuzzer programs (clang, ASan + UBSan) into build-fuzz/ and runs every target for
# SECONDS (default 60) from its seed corpus fuzz/corpus/<target>/ (docs/fuzzing.md).
#   scripts/fuzz.sh 600                    # every target, 10 minutes each
#   scripts/fuzz.sh 60 png ply             # some targets
#   XWAM_FUZZ_JOBS=2 scripts/fuzz.sh 600   # two targets at a time (default 1)
# Inputs the fuzzers find go to build-fuzz/corpus/<target>/, crashes to build-fuzz/crashes/<target>/;
# exits 1 when any target crashed (copy the input to fuzz/regressions/<target>/ and fix the reader).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors zip pickle torch_checkpoint ply png manifest hdf5_episode policy_request)
jobs=${XWAM_FUZZ_JOBS:-1}

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DXWAM_FUZZ=ON \
    -DXWAM_GUI=OFF -DXWAM_TESTS=OFF -DXWAM_BENCH=OFF "-DXWAM_ENGINE_PARTS=core;data;io;geometry"
fi
build_start=$(date +%s)
cmake --build build-fuzz -j "${XWAM_BUILD_JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"
echo "[fuzz] build: $(( $(date +%s) - build_start )) s"

asan_options=detect_leaks=0:allocator_may_return_null=1

run_one() {
  local name=$1 extra=() rc=0
  mkdir -p "build-fuzz/corpus/$name" "build-fuzz/crashes/$name" build-fuzz/logs
  # libhdf5 is not memory-safe on crafted files (docs/fuzzing.md, "libhdf5"): the reader walks each file
  # in the xwam-hdf5-probe program first (h5::preflight), where libhdf5 may malloc gigabytes for a
  # damaged header; the malloc limit is raised for that target (our own process stays under -rss_limit_mb).
  [ "$name" != hdf5_episode ] || extra=(-malloc_limit_mb=16384)
  # New inputs go to the first folder (build-fuzz/corpus), the committed seeds stay as they are.
  # detect_leaks=0: libhdf5 keeps its own caches until exit; leaks are not what we look for here.
  # allocator_may_return_null: an impossible malloc returns NULL as in a normal build (libhdf5 checks
  # it); one of ours by operator new throws std::bad_alloc, which still ends the run as a crash.
  ASAN_OPTIONS=$asan_options UBSAN_OPTIONS=print_stacktrace=1 \
    nice -n "${XWAM_FUZZ_NICE:-15}" "build-fuzz/bin/fuzz_$name" "build-fuzz/corpus/$name" "fuzz/corpus/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${extra[@]}" \
    -artifact_prefix="build-fuzz/crashes/$name/" >"build-fuzz/logs/$name.log" 2>&1 || rc=$?
  for crash in "build-fuzz/crashes/$name"/*; do
    [ -f "$crash" ] && echo "[fuzz] $name: crash input $crash (log: build-fuzz/logs/$name.log)" >&2
  done
  return $rc
}

failed=()
pids=()
names=()
wait_one() {
  if ! wait "${pids[0]}"; then failed+=("${names[0]}"); fi
  pids=("${pids[@]:1}")
  names=("${names[@]:1}")
}
for name in "${targets[@]}"; do
  [ ${#pids[@]} -lt "$jobs" ] || wait_one
  run_one "$name" &
  pids+=($!)
  names+=("$name")
done
while [ ${#pids[@]} -gt 0 ]; do wait_one; done

# One line per target: executions, coverage (edges), features, corpus size.
for name in "${targets[@]}"; do
  log="build-fuzz/logs/$name.log"
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' ||
          grep -o '^#[0-9]*' <<<"$last" | tr -d '#')
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo "?")
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo "?")
  corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo "?")
  crashes=$(find "build-fuzz/crashes/$name" -type f ! -name '*.log' | wc -l)
  echo "[fuzz] $name: ${execs} execs in ${seconds} s, cov ${cov}, ft ${ft}, corpus ${corp}, crash files ${crashes}"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "[fuzz] CRASHED: ${failed[*]} (inputs in build-fuzz/crashes/, logs in build-fuzz/logs/)" >&2
  exit 1
fi
echo "[fuzz] no crashes"
