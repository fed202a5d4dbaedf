#!/bin/sh
#SBATCH --job-name=cmk-sweep-shard
#SBATCH --cpus-per-task=1
# One shard of a sweep, run as one task of a Slurm job array (sbatch --array=0-<n-1>):
# the task's index is --shard's i. test/slurm/run.ts submits it with SCENARIO, RUNS,
# SEED, SHARDS (n) and RESULTS in the environment and `cmk-sim` on the PATH.
set -eu
exec cmk-sim sweep "$SCENARIO" --runs "$RUNS" --seed "$SEED" --workers "$SLURM_CPUS_PER_TASK" \
  --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --out "$RESULTS/shard-$SLURM_ARRAY_TASK_ID"
