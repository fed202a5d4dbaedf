#!/bin/sh
#SBATCH --job-name=cmk-sweep-merge
#SBATCH --cpus-per-task=1
# Merges the shards' folders in RESULTS once every task of the array has completed: submit it
# with --dependency=afterok:<array job> --kill-on-invalid-dep=yes.
set -eu
exec ${CMK_SIM:-npx cmk-sim} merge "$RESULTS"/shard-* --out "$RESULTS/merged"
