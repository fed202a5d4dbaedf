#!/bin/sh
#SBATCH --job-name=cmk-sweep-merge
#SBATCH --cpus-per-task=1
# Merges the shards' folders once every task of the array has completed
# (submitted with --dependency=afterok:<array job> --kill-on-invalid-dep=yes).
set -eu
exec cmk-sim merge "$RESULTS"/shard-* --out "$RESULTS/merged"
