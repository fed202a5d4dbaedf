// npm run test:slurm: the README's Slurm recipe on a real, throwaway, single-node Slurm.
//
// It starts Debian's munged, slurmctld and slurmd as the current user, each with its
// configuration, state, logs, key and socket in one fresh temporary folder (nothing in /etc,
// no systemd), then:
//   1. submits a sweep as a job array of 4 shards (test/slurm/shard.sh) and a merge job
//      (test/slurm/merge.sh) with --dependency=afterok --kill-on-invalid-dep=yes, waits, checks
//      that every task and the merge ended COMPLETED (scontrol's JobState, not sbatch's exit
//      status), and that the merged files are byte-identical to the unsharded sweep's;
//   2. submits the same again with one shard made to fail, and checks that the merge is
//      cancelled and that the check of step 1 reports it as a failure;
// and stops every daemon it started, even when a step fails or the run is interrupted, then
// checks that no process of this cluster is left. Not part of `npm test` (no Slurm there).
//
//   .ci/install-slurm && npm run test:slurm
//
// Exit status: 0 passed; 1 a check failed; 2 Slurm or munge is not installed.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, userInfo } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(import.meta.dirname, '../..');
/**
 * What the jobs run as cmk-sim: this checkout's CLI, as `npm start` runs it. The one place to
 * change to test another build; the jobs get it as CMK_SIM, through a one-word wrapper script.
 */
const CMK_SIM_COMMAND = [join(REPO, 'node_modules/.bin/tsx'), join(REPO, 'sim/cli.ts')];

const SWEEP = { scenario: 'kv-outage-20m', runs: 8, seed: 1, shards: 4 } as const;
/** The shard that step 2 makes fail, by putting a file where its output folder goes. */
const FAILING_SHARD = 2;

const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'scancel', 'squeue', 'sinfo'] as const;
/** Debian installs the daemons in /usr/sbin, which is not on every user's PATH. */
const SBIN_DIRS = ['/usr/sbin', '/sbin'];
const POLL_INTERVAL_MS = 500;
const DAEMON_START_TIMEOUT_MS = 30_000;
const DAEMON_STOP_TIMEOUT_MS = 15_000;
const JOBS_TIMEOUT_MS = 5 * 60_000;
const COMMAND_TIMEOUT_MS = 60_000;
/** A sweep run outside Slurm, for the reference files. */
const SWEEP_TIMEOUT_MS = 3 * 60_000;
/** JobStates after which a job never runs again (slurm.conf has no requeue on failure). */
const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE']);

class CheckFailed extends Error {}

const say = (text: string) => process.stdout.write(`test:slurm: ${text}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Whether `promise` settles within `ms`; the timer is cleared either way, so it holds no exit up. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...SBIN_DIRS];
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no TCP port from the kernel');
  return address.port;
}

/** One record of `scontrol show job -o`: a job, an array task, or an array's not-yet-split tasks. */
interface JobRecord {
  /** `12` for a job, `11_2` for task 2 of array job 11, `11_[2-3]` for tasks still pending together. */
  id: string;
  state: string;
  reason: string;
  exitCode: string;
  startTime: string;
  endTime: string;
}

function parseJobRecords(text: string): JobRecord[] {
  const field = (line: string, name: string) => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1] ?? '';
  return text
    .split('\n')
    .filter((line) => line.startsWith('JobId='))
    .map((line) => {
      const task = field(line, 'ArrayTaskId');
      const arrayJob = field(line, 'ArrayJobId');
      return {
        id: task === '' ? field(line, 'JobId') : `${arrayJob}_${/^\d+$/.test(task) ? task : `[${task}]`}`,
        state: field(line, 'JobState'),
        reason: field(line, 'Reason'),
        exitCode: field(line, 'ExitCode'),
        startTime: field(line, 'StartTime'),
        endTime: field(line, 'EndTime'),
      };
    });
}

/** What is wrong with a finished array of `shards` tasks and its merge job; empty when all COMPLETED. */
function jobProblems(shards: readonly JobRecord[], shardCount: number, merge: readonly JobRecord[]): string[] {
  const problems = [...shards, ...merge]
    .filter((job) => job.state !== 'COMPLETED')
    .map((job) => `job ${job.id} ended ${job.state} (reason ${job.reason}, exit code ${job.exitCode})`);
  const completedShards = shards.filter((job) => job.state === 'COMPLETED' && /_\d+$/.test(job.id)).length;
  if (problems.length === 0 && completedShards !== shardCount) problems.push(`${completedShards} of ${shardCount} shards completed`);
  return problems;
}

/** The most jobs that ran at the same time, from their start and end times (whole seconds). */
function mostAtOnce(jobs: readonly JobRecord[]): number {
  const spans = jobs.map((job) => [Date.parse(job.startTime), Date.parse(job.endTime)] as const);
  return Math.max(0, ...spans.map(([start]) => spans.filter(([s, e]) => s <= start && start < e).length));
}

class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'cmk-sim-slurm-'));
  private readonly host = hostname().split('.')[0]!;
  private readonly conf = join(this.dir, 'slurm.conf');
  private readonly mungeSocket = join(this.dir, 'munge', 'munge.socket.2');
  private readonly daemons: { name: string; child: ChildProcess; exited: Promise<void> }[] = [];
  private readonly submitted: string[] = [];
  /** The wrapper script that runs CMK_SIM_COMMAND. */
  readonly cmkSim = join(this.dir, 'bin', 'cmk-sim');
  private stopping: Promise<string[]> | null = null;
  /** The environment of every daemon, client command and job: SLURM_CONF also marks the processes that belong to this cluster. */
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    // A run from inside a Slurm allocation must not hand that allocation's variables to sbatch.
    const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('SLURM_'));
    this.env = { ...Object.fromEntries(inherited), SLURM_CONF: this.conf, CMK_SIM: this.cmkSim };
  }

  async start(): Promise<void> {
    if (/\s/.test(this.dir)) throw new CheckFailed(`the jobs split CMK_SIM at spaces, and the temporary folder ${this.dir} has one: set TMPDIR to another folder`);
    // munged refuses a socket in a folder that not everyone may search.
    chmodSync(this.dir, 0o755);
    for (const sub of ['bin', 'munge', 'state', 'spool', 'logs', 'jobs']) mkdirSync(join(this.dir, sub), { mode: 0o755 });
    writeFileSync(join(this.dir, 'munge', 'munge.key'), randomBytes(1024), { mode: 0o400 });
    const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
    writeFileSync(this.cmkSim, `#!/bin/sh\nexec ${CMK_SIM_COMMAND.map(quote).join(' ')} "$@"\n`, { mode: 0o755 });
    const [controllerPort, nodePort] = [await freePort(), await freePort()];
    writeFileSync(this.conf, this.slurmConf(controllerPort, nodePort));

    await this.daemon('munged', ['--foreground', `--socket=${this.mungeSocket}`, `--key-file=${join(this.dir, 'munge', 'munge.key')}`,
      `--pid-file=${join(this.dir, 'munge', 'munged.pid')}`, `--seed-file=${join(this.dir, 'munge', 'munged.seed')}`]);
    await this.until('munged to open its socket', async () => existsSync(this.mungeSocket));
    await this.daemon('slurmctld', ['-D']);
    await this.daemon('slurmd', ['-D', '-N', this.host]);
    await this.until('the node to be idle', async () => (await this.run('sinfo', ['-h', '-N', '-o', '%T']).catch(() => '')).trim() === 'idle');
    say(`munged, slurmctld and slurmd up as ${userInfo().username} in ${this.dir} (ports ${controllerPort} and ${nodePort})`);
  }

  private slurmConf(controllerPort: number, nodePort: number): string {
    const user = userInfo().username;
    const lines = [
      'ClusterName=cmksim',
      // slurmctld checks that it runs on the host named here; the address keeps it off the network.
      `SlurmctldHost=${this.host}(127.0.0.1)`,
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      `SlurmctldPort=${controllerPort}`,
      `SlurmdPort=${nodePort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${this.mungeSocket}`,
      `StateSaveLocation=${join(this.dir, 'state')}`,
      `SlurmdSpoolDir=${join(this.dir, 'spool')}`,
      `SlurmctldPidFile=${join(this.dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(this.dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(this.dir, 'logs', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(this.dir, 'logs', 'slurmd.log')}`,
      // No cgroup plugin: the daemons may run unprivileged, and hosts with mixed cgroup v1/v2
      // hierarchies defeat it; linuxproc follows a job's processes by their parent pids.
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      // Cores as the unit of allocation, so `-c 1` tasks share the node instead of taking it whole.
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      // Finished jobs stay in `scontrol show job` for an hour: there is no accounting database.
      'MinJobAge=3600',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'MpiDefault=none',
      'ReturnToService=2',
      `NodeName=${this.host} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
      `PartitionName=batch Nodes=${this.host} Default=YES MaxTime=INFINITE State=UP`,
    ];
    return lines.join('\n') + '\n';
  }

  private async daemon(name: string, args: string[]): Promise<void> {
    const program = findProgram(name)!;
    const log = openSync(join(this.dir, 'logs', `${name}.out`), 'a');
    // Its own process group: a Ctrl-C reaches the driver alone, which stops the daemons in order.
    const child = spawn(program, args, { env: this.env, stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    this.daemons.push({ name, child, exited });
    await new Promise<void>((done, fail) => child.once('spawn', done).once('error', fail));
  }

  /** Polls `ready` until it holds, failing early with the logs when a daemon died. */
  private async until(what: string, ready: () => Promise<boolean>): Promise<void> {
    for (let polls = 0; polls * POLL_INTERVAL_MS < DAEMON_START_TIMEOUT_MS; polls++) {
      const dead = this.daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null);
      if (dead !== undefined) throw new CheckFailed(`${dead.name} exited while waiting for ${what}:\n${this.logTails()}`);
      if (await ready()) return;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new CheckFailed(`gave up waiting ${DAEMON_START_TIMEOUT_MS / 1000} s for ${what}:\n${this.logTails()}`);
  }

  logTails(): string {
    const logs = join(this.dir, 'logs');
    return readdirSync(logs)
      .map((name) => `--- ${join(logs, name)} (last lines)\n${readFileSync(join(logs, name), 'utf8').trimEnd().split('\n').slice(-15).join('\n')}`)
      .join('\n');
  }

  async run(program: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
    const path = program.includes('/') ? program : (findProgram(program) ?? program);
    const { stdout } = await promisify(execFile)(path, args, { env: this.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  }

  async submit(script: string, options: string[], results: string): Promise<string> {
    const env = ['ALL', `SCENARIO=${SWEEP.scenario}`, `RUNS=${SWEEP.runs}`, `SEED=${SWEEP.seed}`, `SHARDS=${SWEEP.shards}`, `RESULTS=${results}`].join(',');
    const output = join(this.dir, 'logs', options.some((o) => o.startsWith('--array=')) ? '%x-%A_%a.out' : '%x-%j.out');
    const id = (await this.run('sbatch', ['--parsable', `--chdir=${join(this.dir, 'jobs')}`, `--output=${output}`, `--export=${env}`, ...options, join(REPO, 'test/slurm', script)])).trim();
    if (!/^\d+$/.test(id)) throw new CheckFailed(`sbatch ${script} answered ${JSON.stringify(id)}, not a job id`);
    this.submitted.push(id);
    return id;
  }

  async jobRecords(id: string): Promise<JobRecord[]> {
    return parseJobRecords(await this.run('scontrol', ['show', 'job', '-o', id]));
  }

  /** Waits until every record of these jobs is in a final state, and returns the records by job. */
  async waitFor(ids: readonly string[]): Promise<JobRecord[][]> {
    for (let polls = 0; polls * POLL_INTERVAL_MS < JOBS_TIMEOUT_MS; polls++) {
      const records = await Promise.all(ids.map((id) => this.jobRecords(id)));
      if (records.flat().every((job) => FINAL_STATES.has(job.state))) return records;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new CheckFailed(`jobs ${ids.join(', ')} still not finished after ${JOBS_TIMEOUT_MS / 1000} s`);
  }

  /** Cancels what is left of the jobs, stops the daemons in reverse order, and returns what could not be stopped cleanly. */
  stop(): Promise<string[]> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<string[]> {
    const problems: string[] = [];
    if (this.submitted.length > 0) {
      try {
        await this.run('scancel', this.submitted);
        for (let polls = 0; polls * POLL_INTERVAL_MS < DAEMON_STOP_TIMEOUT_MS; polls++) {
          if ((await this.run('squeue', ['-h', '-t', 'all', '-j', this.submitted.join(','), '-o', '%T'])).split('\n').every((state) => state === '' || FINAL_STATES.has(state))) break;
          await sleep(POLL_INTERVAL_MS);
        }
      } catch (error) {
        problems.push(`could not cancel jobs ${this.submitted.join(', ')}: ${(error as Error).message}`);
      }
    }
    for (const { name, child, exited } of [...this.daemons].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      if (!(await settlesWithin(exited, DAEMON_STOP_TIMEOUT_MS))) {
        problems.push(`${name} (pid ${child.pid}) ignored SIGTERM for ${DAEMON_STOP_TIMEOUT_MS / 1000} s; killed`);
        child.kill('SIGKILL');
        await exited;
      }
    }
    for (const { pid, command } of this.leftovers()) {
      problems.push(`process ${pid} (${command}) of this cluster was still running; killed`);
      process.kill(pid, 'SIGKILL');
    }
    return problems;
  }

  /** Processes that carry this cluster's SLURM_CONF: the daemons, slurmstepd and the jobs' processes. */
  leftovers(): { pid: number; command: string }[] {
    const marker = `\0SLURM_CONF=${this.conf}\0`;
    const found: { pid: number; command: string }[] = [];
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      try {
        if (!`\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(marker)) continue;
        found.push({ pid, command: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim() });
      } catch {
        // Gone meanwhile, or another user's: not ours.
      }
    }
    return found;
  }
}

/** Step 1: the sharded sweep on Slurm gives the unsharded sweep's files byte for byte. */
async function shardedSweepMatches(cluster: Cluster): Promise<void> {
  const results = join(cluster.dir, 'results');
  mkdirSync(results);
  const array = await cluster.submit('shard.sh', [`--array=0-${SWEEP.shards - 1}`], results);
  const merge = await cluster.submit('merge.sh', [`--dependency=afterok:${array}`, '--kill-on-invalid-dep=yes'], results);
  say(`submitted job array ${array} (${SWEEP.shards} shards of ${SWEEP.scenario}, ${SWEEP.runs} runs from seed ${SWEEP.seed}) and merge job ${merge} (afterok:${array})`);
  const [shards, merged] = (await cluster.waitFor([array, merge])) as [JobRecord[], JobRecord[]];
  say([...shards, ...merged].map((job) => `${job.id} ${job.state}`).join(', ') + `; up to ${mostAtOnce(shards)} shards ran at once`);
  const problems = jobProblems(shards, SWEEP.shards, merged);
  if (problems.length > 0) throw new CheckFailed(`the sharded sweep failed:\n  ${problems.join('\n  ')}\n${cluster.logTails()}`);

  const reference = join(cluster.dir, 'unsharded');
  await cluster.run(cluster.cmkSim, ['sweep', SWEEP.scenario, '--runs', `${SWEEP.runs}`, '--seed', `${SWEEP.seed}`, '--out', reference], SWEEP_TIMEOUT_MS);
  const files = readdirSync(reference).sort();
  const mergedFiles = readdirSync(join(results, 'merged')).sort();
  if (files.join() !== mergedFiles.join()) throw new CheckFailed(`the merge wrote ${mergedFiles.join(', ')}; the unsharded sweep ${files.join(', ')}`);
  const differing = files.filter((name) => !readFileSync(join(results, 'merged', name)).equals(readFileSync(join(reference, name))));
  if (differing.length > 0) throw new CheckFailed(`merged files differ from the unsharded sweep's: ${differing.join(', ')} (in ${results}/merged and ${reference})`);
  say(`the merged files are byte-identical to the unsharded sweep's: ${files.join(', ')}`);
}

/** Step 2: a failed shard gets the merge cancelled, and step 1's check calls that a failure. */
async function failedShardCancelsMerge(cluster: Cluster): Promise<void> {
  const results = join(cluster.dir, 'results-failing');
  mkdirSync(results);
  writeFileSync(join(results, `shard-${FAILING_SHARD}`), 'a file where shard 2 writes its folder, so that shard fails\n');
  const array = await cluster.submit('shard.sh', [`--array=0-${SWEEP.shards - 1}`], results);
  const merge = await cluster.submit('merge.sh', [`--dependency=afterok:${array}`, '--kill-on-invalid-dep=yes'], results);
  say(`submitted job array ${array} with shard ${FAILING_SHARD} made to fail, and merge job ${merge} (afterok:${array})`);
  const [shards, merged] = (await cluster.waitFor([array, merge])) as [JobRecord[], JobRecord[]];
  const failing = `${array}_${FAILING_SHARD}`;
  const expected =
    shards.length === SWEEP.shards &&
    shards.every((job) => job.state === (job.id === failing ? 'FAILED' : 'COMPLETED')) &&
    merged.length === 1 &&
    merged[0]!.state === 'CANCELLED' &&
    merged[0]!.reason === 'DependencyNeverSatisfied';
  const shown = [...shards, ...merged].map((job) => `${job.id} ${job.state} (${job.reason})`).join(', ');
  if (!expected) throw new CheckFailed(`expected ${failing} FAILED, the other shards COMPLETED and merge ${merge} CANCELLED (DependencyNeverSatisfied); got ${shown}`);
  const problems = jobProblems(shards, SWEEP.shards, merged);
  if (!problems.some((p) => p.startsWith(`job ${failing} `)) || !problems.some((p) => p.startsWith(`job ${merge} ended CANCELLED`))) {
    throw new CheckFailed(`the check of step 1 does not report the failed shard and the cancelled merge; it says: ${problems.join('; ') || 'nothing'}`);
  }
  say(`${shown}: reported as a failure:\n  ${problems.join('\n  ')}`);
}

async function main(): Promise<number> {
  const missing = PROGRAMS.filter((name) => findProgram(name) === null);
  if (missing.length > 0) {
    process.stderr.write(
      `test:slurm: not installed: ${missing.join(', ')}.\n` +
        "Install Debian's Slurm and munge: .ci/install-slurm   (apt-get install slurmctld slurmd slurm-client munge)\n",
    );
    return 2;
  }
  const startedMs = performance.now();
  const cluster = new Cluster();
  // `on`, not `once`: a Ctrl-C reaches this process twice (from the terminal and relayed by
  // tsx), and a second signal without a listener would kill it before the daemons are stopped.
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      say(`${signal}: stopping the cluster`);
      void cluster.stop().finally(() => {
        const left = cluster.leftovers();
        if (left.length === 0) rmSync(cluster.dir, { recursive: true, force: true });
        say(left.length === 0 ? 'stopped; no process of this cluster is left' : `still running: ${left.map((p) => `${p.pid} ${p.command}`).join('; ')}`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    });
  }
  let failure: string | null = null;
  try {
    await cluster.start();
    await shardedSweepMatches(cluster);
    await failedShardCancelsMerge(cluster);
  } catch (error) {
    failure = error instanceof CheckFailed ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    const problems = await cluster.stop();
    if (problems.length > 0) failure = [failure, ...problems].filter((p) => p !== null).join('\n');
  }
  const left = cluster.leftovers();
  if (left.length > 0) failure = [failure, `still running: ${left.map((p) => `${p.pid} ${p.command}`).join('; ')}`].filter((p) => p !== null).join('\n');
  else say('stopped slurmd, slurmctld and munged; no process of this cluster is left');
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(0);
  if (failure !== null) {
    process.stderr.write(`test:slurm: FAILED after ${seconds} s: ${failure}\n(the cluster's files are kept in ${cluster.dir})\n`);
    return 1;
  }
  rmSync(cluster.dir, { recursive: true, force: true });
  say(`passed in ${seconds} s`);
  return 0;
}

process.exitCode = await main();
