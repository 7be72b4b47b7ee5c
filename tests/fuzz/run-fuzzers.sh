#!/usr/bin/env bash
# Runs fuzz targets of a fuzz build for a fixed time each, on their corpus and dictionary.
# Usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]      (default: every target)
#   BUILD_DIR  the fuzz preset's build folder (build/fuzz); corpora are collected into it once
#   SECONDS    -max_total_time of each target
# Environment: FUZZ_JOBS targets at a time (default 1), FUZZ_NICE the nice level (default 19),
#   FUZZ_SAMPLES folders of more seeds (default ../shared/samples when present).
# First every kept crashing input (regressions/<target>/) is replayed and must pass; then each
# target runs. Inputs it finds that add coverage go to BUILD_DIR/fuzz-work/<target>/ (the seed
# corpus stays as collected); a crash, leak, timeout (10 s) or out-of-memory (2 GiB) stops that
# target, its input is saved under BUILD_DIR/fuzz-artifacts/<target>/ and the script fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]}" && pwd)
seconds=${2:?usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_import_azure fuzz_import_aws fuzz_import_terraform fuzz_armtemplate fuzz_review fuzz_servicetags fuzz_roundtrip)
jobs=${FUZZ_JOBS:-1}
nice=${FUZZ_NICE:-19}
bin="$build/tests/fuzz"

if [ ! -d "$build/fuzz-corpora" ]; then
    # shellcheck disable=SC2086
    "$here/collect-corpora.sh" "$build/fuzz-corpora" ${FUZZ_SAMPLES:-}
fi

dict_of() {
    case "$1" in
        fuzz_import_azure) echo "$here/azure.dict" ;;
        fuzz_import_aws) echo "$here/aws.dict" ;;
        fuzz_import_terraform) # Terraform's keys, and the AWS ones its translated documents carry
            cat "$here/terraform.dict" "$here/aws.dict" >"$build/fuzz-terraform.dict"
            echo "$build/fuzz-terraform.dict" ;;
        fuzz_armtemplate) echo "$here/armtemplate.dict" ;;
        fuzz_review) echo "$here/review.dict" ;;
        fuzz_servicetags) echo "$here/servicetags.dict" ;;
        fuzz_roundtrip) # both clouds' keys: libFuzzer takes one dictionary
            cat "$here/azure.dict" "$here/aws.dict" >"$build/fuzz-roundtrip.dict"
            echo "$build/fuzz-roundtrip.dict" ;;
    esac
}

status=0
# Replays: each kept input runs once and must neither crash nor hang.
for t in "${targets[@]}"; do
    [ -d "$here/regressions/$t" ] || continue
    mapfile -t kept < <(find "$here/regressions/$t" -type f | sort)
    [ ${#kept[@]} -gt 0 ] || continue
    if nice -n "$nice" "$bin/$t" -timeout=10 -rss_limit_mb=2048 "${kept[@]}" >"$build/fuzz-$t-regressions.log" 2>&1; then
        echo "run-fuzzers: $t: ${#kept[@]} regression input(s) pass"
    else
        echo "run-fuzzers: $t: a regression input fails again, see $build/fuzz-$t-regressions.log"
        tail -40 "$build/fuzz-$t-regressions.log"
        status=1
    fi
done

# A timeout under `nice` can be starvation, not a hang: libFuzzer's -timeout is wall time, and a
# niced target beside a compiler may get no processor for seconds (a 0.16 s input of
# fuzz_armtemplate once "timed out" after 12 s so). Such an input is replayed once at normal
# priority; when it passes there, it is set aside under fuzz-starved/ and the target goes on for the
# rest of its time (its log gets a part per run). A real hang times out again and fails the target.
run_one() {
    local t=$1 log="$build/fuzz-$1.log" dict
    dict=$(dict_of "$t")
    mkdir -p "$build/fuzz-work/$t" "$build/fuzz-artifacts/$t"
    : >"$log"
    local start=$SECONDS part="$build/fuzz-$1.part.log" left input runs
    while :; do
        left=$((seconds - (SECONDS - start)))
        [ "$left" -ge 1 ] || left=1
        if nice -n "$nice" "$bin/$t" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
            -print_final_stats=1 -dict="$dict" -artifact_prefix="$build/fuzz-artifacts/$t/" \
            "$build/fuzz-work/$t" "$build/fuzz-corpora/$t" >"$part" 2>&1; then
            cat "$part" >>"$log"
            rm -f "$part"
            runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{ n += $NF } END { print n + 0 }')
            echo "run-fuzzers: $t: clean for $((SECONDS - start)) s, $runs runs, $(find "$build/fuzz-work/$t" -type f | wc -l) inputs in its work corpus"
            return 0
        fi
        cat "$part" >>"$log"
        input=$(grep -oE 'Test unit written to [^ ]+' "$part" | tail -1 | sed 's/^Test unit written to //')
        if grep -q 'ERROR: libFuzzer: timeout' "$part" && [ -f "$input" ] \
            && "$bin/$t" -timeout=10 -rss_limit_mb=2048 "$input" >"$part" 2>&1 \
            && [ $((seconds - (SECONDS - start))) -gt 0 ]; then
            mkdir -p "$build/fuzz-starved/$t"
            mv "$input" "$build/fuzz-starved/$t/"
            echo "run-fuzzers: $t: the timeout after $((SECONDS - start)) s was starvation (its input passes at normal priority, kept in fuzz-starved/$t/); going on"
            continue
        fi
        rm -f "$part"
        echo "run-fuzzers: $t: FAILED after $((SECONDS - start)) s (log $log; input in $build/fuzz-artifacts/$t/)"
        grep -E 'ERROR|fuzz property failed|SUMMARY|runtime error' "$log" | head -20
        return 1
    done
}

running=0
pids=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || status=1
    running=$((running - 1))
done
exit $status
