#!/usr/bin/env bash
# Builds each fuzz target's seed corpus from the test data and the public samples, at run time (no
# copies of them are committed). Usage: collect-corpora.sh OUT_DIR [SAMPLES_DIR...]
# OUT_DIR/<target>/ gets the files of its format, named by content hash (so reruns add nothing);
# SAMPLES_DIR defaults to ../shared/samples beside the checkout and is skipped when absent.
# Files over 64 KiB are left out: the runs cap inputs at that size (run-fuzzers.sh), and a truncated
# seed is only a syntax error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: collect-corpora.sh OUT_DIR [SAMPLES_DIR...]}
shift
sources=("$root/tests/data" "$root/resources/demo")
if [ $# -gt 0 ]; then
    sources+=("$@")
elif [ -d "$root/../shared/samples" ]; then
    sources+=("$root/../shared/samples")
fi
targets=(fuzz_import_azure fuzz_import_aws fuzz_import_terraform fuzz_armtemplate fuzz_review fuzz_servicetags fuzz_roundtrip)
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done

# Keys that only AWS documents have (describe-* outputs, collectors' wrappers).
aws_keys='"(VpcId|GroupId|NetworkAclId|RouteTableId|DBInstanceIdentifier|DBClusterIdentifier|DomainStatus(List)?|CacheClusters|LoadBalancerArn|LoadBalancerDescriptions|TargetGroupArn|ClusterIdentifier|PrefixListId|Reservations|InternetGatewayId|VpcPeeringConnectionId)"'

add() { # add TARGET FILE
    local name
    name=$(sha1sum "$2" | cut -c1-16)
    cp -f "$2" "$out/$1/$name"
}

count=0
while IFS= read -r -d '' f; do
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    case "$f" in *.md|*.txt|*.cfg|*/expected*) continue ;; esac
    if grep -q 'exposure-review/1' "$f"; then
        add fuzz_review "$f"
        continue
    fi
    # The golden cases' inputs and the demo's exports are whole estates: the round trip gets them.
    case "$f" in "$root"/tests/data/*/input/*|"$root"/tests/data/diff/*|"$root"/resources/demo/*) add fuzz_roundtrip "$f" ;; esac
    # Terraform: `terraform show -json` (format_version) and terraform.tfstate (version 4), both
    # with terraform_version.
    if grep -q '"terraform_version"' "$f"; then
        add fuzz_import_terraform "$f"
    elif grep -qE "$aws_keys" "$f"; then
        add fuzz_import_aws "$f"
    else
        add fuzz_import_azure "$f"
    fi
    if grep -q '"changeNumber"' "$f"; then add fuzz_servicetags "$f"; fi
    if grep -qE 'deploymentTemplate|"contentVersion"' "$f"; then add fuzz_armtemplate "$f"; fi
    count=$((count + 1))
done < <(find "${sources[@]}" -type f -print0 | sort -z)

# Expressions alone (fuzz_armtemplate reads an input that does not begin with '{' as one).
grep -rhoE '"\[[a-z][^"]{2,200}\]"' "$root/tests/data" 2>/dev/null | sort -u | head -400 | while IFS= read -r e; do
    e=${e#\"}
    e=${e%\"}
    printf '%s' "$e" >"$out/fuzz_armtemplate/expr-$(printf '%s' "$e" | sha1sum | cut -c1-16)"
done
for t in "${targets[@]}"; do
    echo "collect-corpora: $t: $(find "$out/$t" -type f | wc -l) seeds"
done
