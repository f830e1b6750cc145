#!/usr/bin/env bash
# Compare every kernel-image leg with the native leg of the same runner (legs downloaded by the
# nightly workflow's merge job: LEGS/nightly-<runner>-<kernel>/{run/,leg.json}).
#
#   infra/ci/merge-legs.sh LEGS OUT
#
# Writes OUT/<runner>-<kernel>/compare.{md,json,html} and appends each compare.md to the job summary.
# Differences between kernels are findings, not failures (each leg already failed on its own
# regressions), so only a comparison that cannot run makes this script fail.
set -euo pipefail
legs=${1:?usage: merge-legs.sh LEGS OUT}
out=${2:?usage: merge-legs.sh LEGS OUT}
mkdir -p "$out"
status=0
for leg in "$legs"/nightly-*/; do
  leg=${leg%/}
  [[ -f $leg/leg.json && -d $leg/run ]] || continue
  runner=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runner' "$leg/leg.json")
  kernel=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).kernel' "$leg/leg.json")
  [[ $kernel == native ]] && continue
  native="$legs/nightly-$runner-native/run"
  if [[ ! -d $native ]]; then echo "merge-legs: no native leg for $runner; skipping $kernel" >&2; continue; fi
  rc=0
  npm run --silent compare -- "$native" "$leg/run" --out "$out/$runner-$kernel" || rc=$?
  if [[ ! -f $out/$runner-$kernel/compare.json ]]; then echo "merge-legs: compare $runner native vs $kernel failed (exit $rc)" >&2; status=2; continue; fi
  if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    { echo "## $runner: $kernel vs native"; cat "$out/$runner-$kernel/compare.md"; } >>"$GITHUB_STEP_SUMMARY"
  fi
done
exit "$status"
