#!/usr/bin/env bash
# Before/after chain of issue 18 (one Stryker at a time): the before-run of a sample on a snapshot
# of the tree without the new tests (BASE), then the after-run in the worktree (WT), reusing the
# before-run's incremental file so only mutants the new tests touch are re-tested.
set -u
BASE=${BASE:-/tmp/mutate-base}; WT=${WT:-/work/wt/mutate}
after() { # folder n [flags]
  local f=$1 n=$2; shift 2
  mkdir -p "$WT/reports/mutation"
  cp "$BASE/reports/mutation/$f.sample-$n-1.incremental.json" "$WT/reports/mutation/" 2>/dev/null
  (cd "$WT" && npm run mutate -- "$f" --sample "$n" --seed 1 "$@" > "reports/mutation/after-$f.log" 2>&1)
}
before() {
  local f=$1 n=$2; shift 2
  (cd "$BASE" && npm run mutate -- "$f" --sample "$n" --seed 1 "$@" > "reports-$f.log" 2>&1)
}
while [ ! -f "$BASE/reports/mutation/diffusion.sample-40-1.summary.md" ]; do sleep 20; done
after gaussian 40
after diffusion 40 --ignore-static
before subject 40 --ignore-static; after subject 40 --ignore-static
before objectives 30 --ignore-static; after objectives 30 --ignore-static
before theory 40 --ignore-static; after theory 40 --ignore-static
echo done > "$WT/reports/mutation/chain.done"
# An independent check of the after-scores of the two folders whose seed-1 survivors were seen
# before their last tests were written: a fresh sample (seed 2), measured on the final tests only.
(cd "$WT" && npm run mutate -- gaussian --sample 30 --seed 2 > reports/mutation/after-gaussian-seed2.log 2>&1)
(cd "$WT" && npm run mutate -- diffusion --sample 30 --seed 2 --ignore-static > reports/mutation/after-diffusion-seed2.log 2>&1)
echo done > "$WT/reports/mutation/chain2.done"
(cd "$WT" && npm run mutate -- subject --sample 30 --seed 2 --ignore-static > reports/mutation/after-subject-seed2.log 2>&1)
echo done > "$WT/reports/mutation/chain3.done"
