#!/usr/bin/env bash
# Nightly benchmark: run a profile, compare it with the baseline, keep the history, render the trend.
#
#   infra/ci/nightly.sh [--history DIR] [--baseline DIR] [--profile NAME|FILE]
#                       [--runtime SECONDS] [--repeat N] [--kernel native|IMAGE] [--noise FILE] [--trace]
#
# Each run lands in <history>/<UTC date>_<kernel release>_<short commit>/ (runs.jsonl, summary.json,
# results.csv, and compare/ with compare.md|json|html against the baseline). The baseline is --baseline
# when given (pinned), else the run that <history>/accepted points at: the last run without a
# significant regression. A run without regression becomes the accepted one; the first run of an empty
# history is accepted as is. <history>/latest points at the newest run, <history>/trend.html (and
# trend.vl.json) shows every run's headline metrics.
#
# What counts as normal: compare gives verdicts on each workload's headline and the daemon's CPU per
# I/O, each by its ratio to bind in the same round unless its absolute values are clearly steadier,
# against a threshold raised to each metric's between-run spread. That spread comes from --noise (a pinned noise
# model, e.g. the noise.json of npm run bench:calibrate), else from the last HISTORY_NIGHTS accepted
# nights of this history once there are at least MIN_NIGHTS (recent nights define normal, as in fsperf
# and LKP), else from <history>/noise.json if present, else compare's uncalibrated defaults.
#
# Exit status: 0 no regression, 1 a metric regressed significantly, 2 the run or the comparison failed.
set -euo pipefail

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "nightly: $*" >&2; exit 2; }

history=./nightly-history
baseline=
profile=nightly
runtime=
repeat=
kernel=native
noise=
trace=0
MIN_NIGHTS=5
HISTORY_NIGHTS=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --history) history=${2:?--history needs a directory}; shift 2 ;;
    --baseline) baseline=${2:?--baseline needs a result directory}; shift 2 ;;
    --profile) profile=${2:?--profile needs a name or file}; shift 2 ;;
    --runtime) runtime=${2:?--runtime needs seconds}; shift 2 ;;
    --repeat) repeat=${2:?--repeat needs a count}; shift 2 ;;
    --kernel) kernel=${2:?--kernel needs native or a kernel image}; shift 2 ;;
    --noise) noise=${2:?--noise needs a noise model file}; shift 2 ;;
    --trace) trace=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# Paths the user gave are relative to where they ran us; the suite runs from its root.
absolute() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
mkdir -p "$history"
history=$(cd "$history" && pwd)
[[ -n $baseline ]] && baseline=$(absolute "$baseline")
[[ -n $noise ]] && noise=$(absolute "$noise")
[[ $profile == */* || $profile == *.yaml || $profile == *.yml ]] && profile=$(absolute "$profile")
[[ $kernel != native ]] && kernel=$(absolute "$kernel")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

json_field() { node -e 'const v = process.argv[2].split(".").reduce((o, k) => o?.[k], JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))); console.log(v ?? "")' "$1" "$2"; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo nocommit)
incoming="$history/.incoming-$stamp-$$"

# --keep-going: a cell that failed is in runs.jsonl and the rest is still worth comparing; a run where
# nothing completed still exits 1 and fails the night.
bench_args=(--profile "$profile" --out "$incoming" --keep-going)
[[ -n $runtime ]] && bench_args+=(--runtime "$runtime")
[[ -n $repeat ]] && bench_args+=(--repeat "$repeat")
[[ $kernel != native ]] && bench_args+=(--kernel "$kernel")
# Untraced by default: the verdicts are on throughput and the daemon's CPU per I/O, which need no
# tracing; bench:calibrate measures its noise model untraced too; and bpftrace's start-up costs every
# run seconds (a quarter of the night's wall time here). --trace keeps the per-opcode request counts.
[[ $trace -eq 0 ]] && bench_args+=(--no-trace)

echo "nightly: npm run bench -- ${bench_args[*]}" >&2
if ! npm run --silent bench -- "${bench_args[@]}"; then
  [[ -d $incoming ]] && mv "$incoming" "$history/.failed-$stamp"
  die "the benchmark failed; partial results (if any) are in $history/.failed-$stamp"
fi
[[ -f $incoming/summary.json ]] || die "the benchmark wrote no summary.json into $incoming"

# The kernel release is what the run measured (a guest's, with --kernel), not necessarily the host's.
release=$(json_field "$incoming/summary.json" environment.kernelRelease | tr -c 'A-Za-z0-9._+\n-' '-')
name="${stamp}_${release:-unknown}_${commit}"
run_dir="$history/$name"
mv "$incoming" "$run_dir"
ln -sfn "$name" "$history/.latest.$$" && mv -T "$history/.latest.$$" "$history/latest"
echo "nightly: results in $run_dir" >&2
# In GitHub Actions, hand the run directory to later steps (the artifact upload).
if [[ -n ${GITHUB_OUTPUT:-} ]]; then echo "run_dir=$run_dir" >>"$GITHUB_OUTPUT"; fi

accept() {
  ln -sfn "$name" "$history/.accepted.$$" && mv -T "$history/.accepted.$$" "$history/accepted"
  echo "nightly: $name is now the accepted baseline" >&2
}

if [[ -z $baseline && -e $history/accepted ]]; then
  if [[ -L $history/accepted ]]; then baseline="$history/$(basename "$(readlink "$history/accepted")")"
  else baseline="$history/$(basename "$(<"$history/accepted")")"; fi
  [[ -d $baseline ]] || { echo "nightly: accepted baseline $baseline is gone; treating this as the first run" >&2; baseline=; }
fi

status=0
if [[ -z $baseline ]]; then
  echo "nightly: no baseline yet (first run of $history)" >&2
  accept
else
  echo "nightly: comparing with $baseline" >&2
  # Earlier nights that passed (each has compare/ with no regression, or was the first), newest last.
  mapfile -t nights < <(cd "$history" && for d in 2*_*; do
    [[ -d $d && $d != "$name" && -f $d/summary.json ]] || continue
    [[ ! -f $d/compare/compare.json || $(json_field "$d/compare/compare.json" counts.regressed) == 0 ]] && echo "$history/$d"
  done | tail -n "$HISTORY_NIGHTS")
  compare_noise=()
  if [[ -n $noise ]]; then
    compare_noise=(--noise "$noise")
  elif [[ ${#nights[@]} -ge $MIN_NIGHTS ]]; then
    npm run --silent noise -- "${nights[@]}" --source history --out "$run_dir/noise.json" >&2 && compare_noise=(--noise "$run_dir/noise.json")
  elif [[ -f $history/noise.json ]]; then
    compare_noise=(--noise "$history/noise.json")
  fi
  echo "nightly: thresholds from ${compare_noise[1]:-the default thresholds (fewer than $MIN_NIGHTS accepted nights, no noise model)}" >&2
  rc=0
  npm run --silent compare -- "$baseline" "$run_dir" --out "$run_dir/compare" "${compare_noise[@]}" || rc=$?
  if [[ $rc -eq 0 ]]; then
    accept
  elif [[ -f $run_dir/compare/compare.json && $(json_field "$run_dir/compare/compare.json" counts.regressed) -gt 0 ]]; then
    echo "nightly: significant regression against $(basename "$baseline"); see $run_dir/compare/compare.md" >&2
    status=1
  else
    echo "nightly: compare failed (exit $rc)" >&2
    status=2
  fi
fi

npm run --silent trend -- "$history" >&2 || { echo "nightly: rendering the trend failed" >&2; [[ $status -ne 0 ]] || status=2; }
exit "$status"
