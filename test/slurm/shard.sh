#!/bin/sh
#SBATCH --job-name=cmk-sweep-shard
#SBATCH --cpus-per-task=1
# One shard of a sweep, as one task of a Slurm job array (sbatch --array=0-<SHARDS-1>): the
# task's index is --shard's i. Set SCENARIO, RUNS, SEED, SHARDS and RESULTS (a folder that every
# node sees); CMK_SIM is the command, `npx cmk-sim` (submitted from the checkout) unless set.
set -eu
exec ${CMK_SIM:-npx cmk-sim} sweep "$SCENARIO" --runs "$RUNS" --seed "$SEED" --workers "$SLURM_CPUS_PER_TASK" \
  --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --out "$RESULTS/shard-$SLURM_ARRAY_TASK_ID"
