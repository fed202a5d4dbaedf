import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  RandomStreams,
  Scheduler,
  formatDuration,
  parseDuration,
  tryParseDuration,
} from '../sim/engine/index.ts';

// --- scheduler -------------------------------------------------------------

test('events run in time order, and ties in the order they were scheduled', () => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  scheduler.at(20, () => ran.push('b@20'));
  scheduler.at(10, () => ran.push('a@10'));
  scheduler.at(20, () => ran.push('c@20'));
  scheduler.after(10, () => ran.push('d@10'));
  scheduler.at(0, () => ran.push('e@0'));
  while (scheduler.step());
  assert.equal(ran, ['e@0', 'a@10', 'd@10', 'b@20', 'c@20']);
  assert.is(scheduler.nowMs, 20);
  assert.is(scheduler.processed, 5);
  assert.is(scheduler.pending, 0);
});

test('an event scheduled for now, from inside a handler, runs after those already waiting at now', () => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  scheduler.at(5, () => {
    ran.push('first');
    scheduler.at(5, () => ran.push('scheduled from first'));
  });
  scheduler.at(5, () => ran.push('second'));
  scheduler.runUntil(5);
  assert.equal(ran, ['first', 'second', 'scheduled from first']);
});

test('after() counts from the current time; the constructor sets the start time', () => {
  const scheduler = new Scheduler(1_000);
  assert.is(scheduler.nowMs, 1_000);
  const times: number[] = [];
  scheduler.after(500, () => {
    times.push(scheduler.nowMs);
    scheduler.after(250, () => times.push(scheduler.nowMs));
  });
  scheduler.runUntil(10_000);
  assert.equal(times, [1_500, 1_750]);
});

test('a handle tells the time and sequence number of its event', () => {
  const scheduler = new Scheduler(100);
  const first = scheduler.after(50, () => {});
  const second = scheduler.at(150, () => {});
  assert.is(first.timeMs, 150);
  assert.is(second.timeMs, 150);
  assert.ok(second.seq > first.seq);
});

test('time never goes backwards: at() in the past throws, and so does a negative delay', () => {
  const scheduler = new Scheduler();
  scheduler.runUntil(100);
  assert.throws(() => scheduler.at(99, () => {}), /at\(timeMs\)/);
  assert.throws(() => scheduler.after(-1, () => {}), /after\(delayMs\)/);
  assert.throws(() => scheduler.runUntil(50), /runUntil/);
  assert.not.throws(() => scheduler.at(100, () => {}));
  assert.is(scheduler.nowMs, 100);
});

test('times are integer milliseconds: fractions, NaN and unsafe integers throw', () => {
  const scheduler = new Scheduler();
  assert.throws(() => scheduler.at(1.5, () => {}));
  assert.throws(() => scheduler.after(Number.NaN, () => {}));
  assert.throws(() => scheduler.at(Number.MAX_SAFE_INTEGER + 1, () => {}));
  assert.throws(() => scheduler.every(0.5, () => {}));
  assert.throws(() => new Scheduler(-1));
  assert.throws(() => new Scheduler(0.25));
});

test('cancel() removes a pending event and returns true; a second cancel returns false', () => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  const kept = scheduler.at(10, () => ran.push('kept'));
  const cancelled = scheduler.at(10, () => ran.push('cancelled'));
  assert.is(scheduler.cancel(cancelled), true);
  assert.is(scheduler.cancel(cancelled), false);
  assert.is(scheduler.pending, 1);
  scheduler.runUntil(20);
  assert.equal(ran, ['kept']);
  assert.is(scheduler.cancel(kept), false, 'cancelling an event that already ran returns false');
});

test('cancel() ignores a handle that is not this scheduler\'s, even with the same time and sequence number', () => {
  const ours = new Scheduler();
  const theirs = new Scheduler();
  let ran = false;
  ours.at(10, () => (ran = true));
  const foreign = theirs.at(10, () => {});
  assert.is(ours.cancel(foreign), false);
  assert.is(ours.cancel({ timeMs: 10, seq: 0 }), false);
  assert.is(ours.cancel({ recurring: true, next: undefined }), false, "a recurring handle this scheduler never gave out");
  ours.runUntil(10);
  assert.ok(ran);
});

test('an event can cancel a later one from inside its handler', () => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  const timeout = scheduler.at(30, () => ran.push('timeout'));
  scheduler.at(10, () => {
    ran.push('reply');
    assert.ok(scheduler.cancel(timeout));
  });
  scheduler.runUntil(100);
  assert.equal(ran, ['reply']);
});

test('every() runs at each interval, first after one interval unless told otherwise', () => {
  const scheduler = new Scheduler();
  const times: number[] = [];
  scheduler.every(100, () => times.push(scheduler.nowMs));
  scheduler.runUntil(350);
  assert.equal(times, [100, 200, 300]);
  assert.is(scheduler.pending, 1, 'the next occurrence is waiting');

  const immediate = new Scheduler();
  const immediateTimes: number[] = [];
  immediate.every(100, () => immediateTimes.push(immediate.nowMs), 0);
  immediate.runUntil(250);
  assert.equal(immediateTimes, [0, 100, 200]);
});

test('every() with a function interval draws each next gap anew', () => {
  const scheduler = new Scheduler();
  const gapsMs = [10, 20, 30, 40, 50];
  let drawn = 0;
  const times: number[] = [];
  scheduler.every(() => gapsMs[drawn++]!, () => times.push(scheduler.nowMs), 5);
  scheduler.runUntil(70);
  // first at 5, then gaps 10, 20, 30 -> 15, 35, 65; the next (at 105) is pending
  assert.equal(times, [5, 15, 35, 65]);
  assert.is(scheduler.peekMs(), 105);
});

test('every() with a function interval can draw from a random stream', () => {
  const run = (): number[] => {
    const scheduler = new Scheduler();
    const poll = new RandomStreams(7).stream('kv1/poll');
    const times: number[] = [];
    scheduler.every(() => poll.uniformInt(1_000, 2_000), () => times.push(scheduler.nowMs));
    scheduler.runUntil(20_000);
    return times;
  };
  const times = run();
  assert.ok(times.length >= 9 && times.length <= 20);
  for (let i = 1; i < times.length; i++) {
    const gapMs = times[i]! - times[i - 1]!;
    assert.ok(gapMs >= 1_000 && gapMs <= 2_000);
  }
  assert.equal(run(), times, 'same seed, same polls');
});

test('every() refuses a zero or negative interval', () => {
  const scheduler = new Scheduler();
  assert.throws(() => scheduler.every(0, () => {}));
  scheduler.every(() => -5, () => {}, 10);
  assert.throws(() => scheduler.runUntil(10));
});

test('cancel() stops a recurring event', () => {
  const scheduler = new Scheduler();
  const times: number[] = [];
  const recurring = scheduler.every(100, () => times.push(scheduler.nowMs));
  scheduler.runUntil(250);
  assert.ok(recurring.recurring);
  assert.is(recurring.next?.timeMs, 300);
  assert.is(scheduler.cancel(recurring), true);
  assert.is(scheduler.cancel(recurring), false);
  assert.is(recurring.next, undefined);
  scheduler.runUntil(1_000);
  assert.equal(times, [100, 200]);
  assert.is(scheduler.pending, 0);
});

test('a recurring event can cancel itself from inside its own handler', () => {
  const scheduler = new Scheduler();
  const times: number[] = [];
  const recurring = scheduler.every(100, () => {
    times.push(scheduler.nowMs);
    if (times.length === 3) assert.is(scheduler.cancel(recurring), true);
  });
  scheduler.runUntil(1_000);
  assert.equal(times, [100, 200, 300]);
  assert.is(scheduler.pending, 0);
  assert.is(scheduler.cancel(recurring), false);
});

test('runUntil() runs events at exactly endMs, leaves later ones, and sets now to endMs', () => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  for (const timeMs of [10, 50, 100, 101, 200]) scheduler.at(timeMs, () => ran.push(timeMs));
  scheduler.runUntil(100);
  assert.equal(ran, [10, 50, 100]);
  assert.is(scheduler.nowMs, 100);
  assert.is(scheduler.pending, 2);
  assert.is(scheduler.peekMs(), 101);

  scheduler.runUntil(150);
  assert.equal(ran, [10, 50, 100, 101]);
  assert.is(scheduler.nowMs, 150, 'now moves to endMs even with no event there');
});

test('runUntil() also runs events scheduled meanwhile, up to endMs', () => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  scheduler.at(10, () => {
    ran.push(10);
    scheduler.after(40, () => ran.push(50));
    scheduler.after(41, () => ran.push(51));
  });
  scheduler.runUntil(50);
  assert.equal(ran, [10, 50]);
  assert.is(scheduler.pending, 1);
});

test('a handler that keeps scheduling itself at the same instant stops with a clear error at the limit, instead of spinning', () => {
  const s = new Scheduler(0, 100);
  let runs = 0;
  const again = (): void => {
    runs++;
    s.after(0, again);
  };
  s.at(5, again);
  assert.throws(() => s.runUntil(10), /more than 100 events at 5 ms/);
  assert.is(runs, 100);
  // A hundred events at one instant, then time moves on: within the limit.
  const ok = new Scheduler(0, 100);
  for (let i = 0; i < 100; i++) ok.at(5, () => {});
  ok.at(6, () => {});
  ok.runUntil(10);
  assert.is(ok.processed, 101);
});

test('peekMs() tells the next event time; step() returns false when nothing is pending', () => {
  const scheduler = new Scheduler();
  assert.is(scheduler.peekMs(), undefined);
  assert.is(scheduler.step(), false);
  const late = scheduler.at(30, () => {});
  scheduler.at(20, () => {});
  assert.is(scheduler.peekMs(), 20);
  assert.ok(scheduler.step());
  assert.is(scheduler.nowMs, 20);
  assert.is(scheduler.peekMs(), 30);
  scheduler.cancel(late);
  assert.is(scheduler.peekMs(), undefined);
  assert.is(scheduler.step(), false);
  assert.is(scheduler.nowMs, 20);
});

// --- random streams --------------------------------------------------------

function draws(seed: number, name: string, count = 20): number[] {
  const stream = new RandomStreams(seed).stream(name);
  return Array.from({ length: count }, () => stream.next());
}

test('the same seed and name give the same sequence', () => {
  assert.equal(draws(42, 'kv1/poll'), draws(42, 'kv1/poll'));
});

test('the same name gives the same stream object', () => {
  const streams = new RandomStreams(1);
  assert.is(streams.stream('a'), streams.stream('a'));
  assert.is.not(streams.stream('a'), streams.stream('b'));
});

test('different names give different sequences', () => {
  assert.not.equal(draws(42, 'kv1/poll'), draws(42, 'kv2/poll'));
  assert.not.equal(draws(42, 'a'), draws(42, 'b'));
});

test('different seeds give different sequences', () => {
  assert.not.equal(draws(1, 'kv1/poll'), draws(2, 'kv1/poll'));
});

test('drawing from one stream does not change another stream\'s sequence', () => {
  const alone = draws(42, 'cluster/ingest');
  const streams = new RandomStreams(42);
  const noisy = streams.stream('kv1/poll');
  for (let i = 0; i < 1_000; i++) noisy.next();
  noisy.bytes(100);
  const ingest = streams.stream('cluster/ingest');
  const interleaved: number[] = [];
  for (let i = 0; i < 20; i++) {
    interleaved.push(ingest.next());
    noisy.exponential(5);
  }
  assert.equal(interleaved, alone);
});

test('next() is in [0, 1) and uniform() in [min, max)', () => {
  const stream = new RandomStreams(3).stream('u');
  for (let i = 0; i < 10_000; i++) {
    const x = stream.next();
    assert.ok(x >= 0 && x < 1);
    const y = stream.uniform(-2.5, 7);
    assert.ok(y >= -2.5 && y < 7);
  }
  assert.throws(() => stream.uniform(2, 1));
});

test('uniformInt() is inclusive at both ends and gives only integers', () => {
  const stream = new RandomStreams(9).stream('dice');
  const seen = new Map<number, number>();
  for (let i = 0; i < 60_000; i++) {
    const x = stream.uniformInt(1, 6);
    assert.ok(Number.isInteger(x) && x >= 1 && x <= 6, `got ${x}`);
    seen.set(x, (seen.get(x) ?? 0) + 1);
  }
  assert.equal([...seen.keys()].sort(), [1, 2, 3, 4, 5, 6]);
  for (const count of seen.values()) assert.ok(count > 9_000 && count < 11_000, `count ${count}`);
  assert.is(stream.uniformInt(5, 5), 5);
  for (let i = 0; i < 1_000; i++) {
    const x = stream.uniformInt(-3, -1);
    assert.ok(x >= -3 && x <= -1);
  }
  assert.throws(() => stream.uniformInt(1.5, 3));
  assert.throws(() => stream.uniformInt(3, 1));
});

test('bernoulli(), exponential() and pick() behave', () => {
  const stream = new RandomStreams(11).stream('misc');
  const n = 20_000;
  let trues = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (stream.bernoulli(0.25)) trues++;
    const x = stream.exponential(40);
    assert.ok(x >= 0 && Number.isFinite(x));
    sum += x;
  }
  assert.ok(Math.abs(trues / n - 0.25) < 0.02, `bernoulli rate ${trues / n}`);
  assert.ok(Math.abs(sum / n - 40) < 2, `exponential mean ${sum / n}`);
  assert.is(stream.bernoulli(0), false);
  assert.is(stream.bernoulli(1), true);
  assert.throws(() => stream.bernoulli(1.5));
  assert.throws(() => stream.exponential(0));

  const regions = ['westeurope', 'eastus', 'japaneast'] as const;
  const picked = new Set<string>();
  for (let i = 0; i < 300; i++) picked.add(stream.pick(regions));
  assert.equal([...picked].sort(), [...regions].sort());
  assert.throws(() => stream.pick([]));
});

test('bytes() are deterministic for a seed and name, and differ between names', () => {
  const a = new RandomStreams(5).stream('keys').bytes(37);
  const b = new RandomStreams(5).stream('keys').bytes(37);
  const c = new RandomStreams(5).stream('payloads').bytes(37);
  assert.ok(Buffer.isBuffer(a));
  assert.is(a.length, 37);
  assert.ok(a.equals(b));
  assert.not.ok(a.equals(c));
  assert.is(new RandomStreams(5).stream('keys').bytes(0).length, 0);
  assert.ok(new Set(new RandomStreams(5).stream('spread').bytes(4096)).size > 200, 'bytes cover the range');
});

// --- durations -------------------------------------------------------------

test('every duration form parses to integer milliseconds', () => {
  const expected: Record<string, number> = {
    '250ms': 250,
    '90s': 90_000,
    '45m': 45 * MS_PER_MINUTE,
    '6h': 6 * MS_PER_HOUR,
    '2d': 2 * MS_PER_DAY,
    '1d6h': MS_PER_DAY + 6 * MS_PER_HOUR,
    PT45M: 45 * MS_PER_MINUTE,
    P2D: 2 * MS_PER_DAY,
    P1DT6H: MS_PER_DAY + 6 * MS_PER_HOUR,
    'PT0.5S': 500,
    '0s': 0,
    '1h30m15s250ms': MS_PER_HOUR + 30 * MS_PER_MINUTE + 15_000 + 250,
    ' 90s ': 90_000,
  };
  for (const [text, ms] of Object.entries(expected)) {
    assert.is(parseDuration(text), ms, text);
    assert.is(tryParseDuration(text), ms, text);
  }
});

test('ISO fractions that land on a whole millisecond parse exactly', () => {
  // 1.001 * 1000 is 1000.9999999999999 in floating point; the parser must not care.
  assert.is(parseDuration('PT1.001S'), 1_001);
  assert.is(parseDuration('PT0.001S'), 1);
  assert.is(parseDuration('PT1.1S'), 1_100);
  assert.is(parseDuration('PT0.1H'), 6 * MS_PER_MINUTE);
  assert.is(parseDuration('P0.5D'), 12 * MS_PER_HOUR);
});

test('malformed durations are refused, saying what was expected', () => {
  for (const text of ['6h1d', '45', 'abc', 'P', 'PT', '', 'P1DT', '1h1h', '-5m', '5 m']) {
    assert.is(tryParseDuration(text), undefined, JSON.stringify(text));
    assert.throws(() => parseDuration(text), /expected a duration/, JSON.stringify(text));
  }
});

test('fractions of a millisecond are refused', () => {
  for (const text of ['PT0.0005S', 'PT1.0001S', 'PT0.0000001H']) {
    assert.is(tryParseDuration(text), undefined, text);
  }
});

test('formatDuration() and parseDuration() round-trip', () => {
  for (const text of ['250ms', '90s', '45m', '6h', '2d', '1d6h', 'PT45M', 'P2D', 'P1DT6H', 'PT0.5S', 'PT1.001S']) {
    const ms = parseDuration(text);
    assert.is(parseDuration(formatDuration(ms)), ms, text);
  }
  assert.is(formatDuration(0), '0s');
  assert.is(formatDuration(MS_PER_DAY + 6 * MS_PER_HOUR), '1d6h');
  assert.is(formatDuration(90_000), '1m30s');
  assert.is(formatDuration(1_001), '1s1ms');
  for (const ms of [1, 999, 1_000, 59_999, 3_600_001, 90 * MS_PER_DAY + 1]) {
    assert.is(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});

test.run();
