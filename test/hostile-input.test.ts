// Hostile input found by an audit (2026-11-30): each is refused before any
// work with exit 2, no stack trace, a problem naming the flag or the file and
// what was found, and nothing created on disk; or handled.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FILE_LIMITS } from '../scenarios/load.ts';
import { MAX_ACTIONS } from '../sim/limits.ts';
import { assertBadInput, cli, scratchFolder, show, SMALL_SCENARIO_TEXT, STATUS } from './cli-helpers.ts';

const { root, fresh, small: SMALL } = scratchFolder('cmk-sim-hostile-', test.after);

function file(name: string, content: string | Buffer): string {
  const path = join(fresh('file'), name);
  mkdirSync(join(path, '..'));
  writeFileSync(path, content);
  return path;
}

test('an option given twice is refused, naming it and both values, whatever the command', async () => {
  const out = fresh('twice');
  const cases: [string[], string][] = [
    [['run', SMALL, '--out', out, '--out', fresh('b')], '--out'],
    [['run', SMALL, '--junit', 'a.xml', '--junit', 'b.xml', '--out', out], '--junit'],
    [['validate', SMALL, '--max-cpu', '1h', '--max-cpu', '2h'], '--max-cpu'],
    [['sweep', SMALL, '--runs', '2', '--runs', '3', '--out', out], '--runs'],
    [['explore', '--out', out, '--out', fresh('c')], '--out'],
    [['init', 'x', '--from', 'kv-outage-45m', '--from', 'kv-outage-8h'], '--from'],
  ];
  for (const [args, flag] of cases) {
    const o = await cli(...args);
    assertBadInput(o, flag);
    assert.match(o.err, /found 2 values, \[/, show(o));
  }
  assert.not.ok(existsSync(out), 'nothing written');
});

test('--param naming one parameter twice is a conflict, refused with both values (run, explore), as --vary is; two parameters are two', async () => {
  assertBadInput(await cli('run', SMALL, '--param', 'delayMode=worst', '--param', 'delayMode=best', '--out', fresh('param-twice')), /^--param: delayMode: found "delayMode=worst" and "delayMode=best"; expected each parameter once in --param$/);
  assertBadInput(await cli('explore', '--runs', '1', '--param', 'delayMode=worst', '--param', 'delayMode=worst'), /^--param: delayMode: found "delayMode=worst" and "delayMode=worst"/);
  const two = await cli('run', SMALL, '--param', 'delayMode=worst', '--param', 'resumeWithin=10m', '--out', fresh('param-two'));
  assert.is(two.status, STATUS.ok, show(two));
});

test('the end-of-options marker -- is refused plainly, whatever the command, not read as a missing argument or an option named "--"', async () => {
  for (const args of [['init', '--', 'my-x'], ['run', '--out', fresh('dashdash'), '--', 'kv-outage-20m'], ['validate', '--', SMALL]]) {
    assertBadInput(await cli(...args), /^--: found the end-of-options marker; expected arguments without it: a file whose name starts with - is written \.\/-name\.yaml$/);
  }
});

test('--junit - is refused, not written as a file named -: standard output carries the summary', async () => {
  for (const args of [['run', SMALL, '--out', fresh('junit-dash')], ['sweep', SMALL, '--runs', '1', '--out', fresh('junit-dash-sweep')]]) {
    assertBadInput(await cli(...args, '--junit', '-'), /^--junit: found "-" \(standard output\); expected a file path, e.g. out\/junit.xml \(\.\/- for a file named -\)$/);
  }
  assert.not.ok(existsSync('-'), 'no file named -');
});

test('--version is given alone: another word beside it is refused, not dropped', async () => {
  for (const args of [['--version', 'extra'], ['run', SMALL, '--version']]) assertBadInput(await cli(...args), /^--version: found "[^"]+"; expected --version alone: it prints the version and runs nothing$/);
  const alone = await cli('--version');
  assert.is(alone.status, STATUS.ok, show(alone));
});

test('a yes-or-no flag with another value is refused (--json=maybe is not --json=false)', async () => {
  const o = await cli('run', SMALL, '--json=maybe', '--out', fresh('json'));
  assertBadInput(o, '--json');
  assert.match(o.err, /found "maybe"; expected --json alone \(or =true, =false\)/);
});

test('--param is YAML as in the file: a syntax error, a key twice or an alias is refused, not read as text', async () => {
  for (const [value, why] of [
    ['unwrapPollInterval=[1s, 2s', /a YAML syntax error/],
    ['serviceCreditTiers=[{below: 0.9, creditPercent: 10, below: 0.5}]', /Map keys must be unique/],
    ['unwrapPollInterval=&a [1s, *a]', /a YAML alias/],
  ] as const) {
    const o = await cli('run', SMALL, '--param', value, '--out', fresh('param'));
    assertBadInput(o, `--param: ${value.slice(0, value.indexOf('='))}`);
    assert.match(o.err, why);
  }
  const vary = await cli('sweep', SMALL, '--runs', '1', '--vary', 'unwrapPollInterval=&a [*a]', '--out', fresh('vary'));
  assertBadInput(vary, '--vary: unwrapPollInterval');
  assertBadInput(await cli('sweep', SMALL, '--runs', '1', '--vary', '--out', fresh('vary')), '--vary');
});

test('a text after an empty object in a JSON list is read as a value, not a key: the loader names the field, not a syntax error', async () => {
  const o = await cli('validate', file('after-empty.json', JSON.stringify({ name: 'small', duration: '1h', actions: [{}, 'x'] })));
  assertBadInput(o, /after-empty\.json: actions\[1\]: found "x"/);
  assert.not.match(o.err, /syntax error|Cannot read/);
});

test('a JSON key given twice is refused with its path, as YAML is; JSON.parse would keep the last silently', async () => {
  const json = JSON.stringify({ name: 'small', duration: '1h' }).replace('"duration"', '"seed": 7, "duration"').replace('}', ', "seed": 8}');
  const o = await cli('validate', file('dup.json', json));
  assertBadInput(o, /dup\.json: seed: found the key "seed" a second time in the same object/);
  const nested = await cli('validate', file('nested.json', '{"name": "small", "keyVaults": [{"name": "kv1", "keys": [{"name": "a", "name": "b"}]}]}'));
  assertBadInput(nested, /nested\.json: keyVaults\[0\]\.keys\[0\]\.name: found the key "name" a second time/);
  // Escaped keys are compared as what they spell.
  assertBadInput(await cli('validate', file('escaped.json', '{"name": "small", "n\\u0061me": "x"}')), /escaped\.json: name: found the key "name" a second time/);
});

test('a file that is not UTF-8 is refused with the line of its first bad byte; UTF-16 is named', async () => {
  const latin1 = await cli('validate', file('latin1.yaml', Buffer.concat([Buffer.from('name: small\ndescription: caf'), Buffer.of(0xe9), Buffer.from('\nduration: 1h\n')])));
  assertBadInput(latin1, /latin1\.yaml: found bytes that are not UTF-8 at line 2 \(byte 28\); expected a scenario file in UTF-8/);
  const utf16 = await cli('validate', file('utf16.yaml', Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(SMALL_SCENARIO_TEXT, 'utf16le')])));
  assertBadInput(utf16, /utf16\.yaml: found UTF-16 text \(it starts with a UTF-16 byte order mark\)/);
  // A UTF-8 byte order mark is text, and dropped.
  assert.is((await cli('validate', file('bom.yaml', '\uFEFF' + SMALL_SCENARIO_TEXT))).status, STATUS.ok);
});

test('a file larger than the loader takes is refused by its size, before it is read; a folder or a missing file is named as such', async () => {
  const big = file('big.yaml', Buffer.alloc(FILE_LIMITS.bytes + 1, 0x20));
  assertBadInput(await cli('validate', big), /big\.yaml: found a file of 32 MiB; expected a scenario file of at most 32 MiB/);
  assertBadInput(await cli('validate', join(root, 'missing.yaml')), /missing\.yaml: found no such file; expected a scenario file$/);
  const folder = fresh('folder.json');
  mkdirSync(folder);
  assertBadInput(await cli('validate', folder), /folder\.json: found a folder; expected a scenario file$/);
});

test(`more than ${MAX_ACTIONS} actions are refused, and that many are read without overflowing the stack`, async () => {
  const actions = (n: number) => SMALL_SCENARIO_TEXT + 'actions:\n' + Array.from({ length: n }, (_, i) => `  - { at: ${i}ms, do: keyVault.outage, vault: kv1, for: 1ms }\n`).join('');
  assertBadInput(await cli('validate', file('many.yaml', actions(MAX_ACTIONS + 1))), /many\.yaml: actions: found 100001 actions; expected at most 100000 actions/);
  const most = await cli('validate', file('most.json', JSON.stringify({ name: 'small', duration: '1h', params: { modelShortcutOctKeys: true }, actions: Array.from({ length: MAX_ACTIONS }, (_, i) => ({ at: `${i}ms`, do: 'keyVault.outage', vault: 'kv1', for: '1ms' })), keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }] })));
  assert.is(most.status, STATUS.ok, show(most));
});

test('a long name, a long or control-laden description, and thousands of problems give short messages', async () => {
  assertBadInput(await cli('validate', file('long-name.yaml', SMALL_SCENARIO_TEXT.replace('name: small', `name: ${'a'.repeat(101)}`))), /long-name\.yaml: name: found "a+\.\.\.; expected a name of 1 to 100/);
  assertBadInput(await cli('validate', file('escape.yaml', `${SMALL_SCENARIO_TEXT}description: "\\e[2J\\e[31mPWNED"\n`)), /escape\.yaml: description: found .*\\u001b\[2J.*; expected text of at most 10,000 characters, without control characters/);
  const keys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}${'x'.repeat(i === 0 ? 100_000 : 0)}`, 1]));
  const o = await cli('validate', file('keys.json', JSON.stringify({ name: 'small', duration: '1h', ...keys })));
  assert.is(o.status, STATUS.badInput, show(o));
  const lines = o.err.trimEnd().split('\n');
  assert.is(lines.length, 21, 'twenty problems and a count');
  assert.is(lines.at(-1), '... and 4980 more problems');
  assert.ok(lines.every((line) => line.length < 1000), 'no line copies a 100,000-character key');
});

test('a seed past 2^53 - 1 is refused with the same range from a file or --seed; a file\'s is shown as read, rounded', async () => {
  assertBadInput(await cli('validate', file('big-seed.yaml', `${SMALL_SCENARIO_TEXT}seed: 9007199254740993\n`)), /big-seed\.yaml: seed: found 9007199254740992 \(as read, rounded: past 2\^53 - 1 whole numbers are not exact\); expected a whole number from 0 to 9007199254740991/);
  assertBadInput(await cli('run', SMALL, '--seed', '9007199254740993', '--out', join(fresh('out'), 'o')), /--seed: found "9007199254740993"; expected a whole number from 0 to 9007199254740991/);
});

test('a second YAML document, a key that is a list and a file name with an escape sequence give plain messages', async () => {
  assertBadInput(await cli('validate', file('two.yaml', `${SMALL_SCENARIO_TEXT}---\nname: other\n`)), /two\.yaml: found a second YAML document at line 7, column 1 \(after a --- line\); expected one scenario in a file/);
  const listKey = await cli('validate', file('list-key.yaml', `? [a, b]\n: c\n${SMALL_SCENARIO_TEXT}`));
  assertBadInput(listKey, /list-key\.yaml: "\[ a, b \]": found unknown field/);
  assert.not.match(listKey.err, /Warning|mapAsMap/, 'no warning of the yaml library');
  const o = await cli('validate', join(root, 'e\u001b[31mRED\nfake: ok.yaml'));
  assert.is(o.status, STATUS.badInput, show(o));
  assert.ok(o.err.includes('e\\u001b[31mRED\\u000afake: ok.yaml: found no such file') && !o.err.includes('\u001b'), o.err);
});

test('nothing printed carries a terminal escape: a file name on the ok line, and C1 controls or a right-to-left override in a value, are written as \\u escapes', async () => {
  const named = file('ok\u001b[31mRED.yaml', SMALL_SCENARIO_TEXT);
  const ok = await cli('validate', named);
  assert.is(ok.status, STATUS.ok, show(ok));
  assert.ok(ok.out.includes('ok\\u001b[31mRED.yaml: ok') && !ok.out.includes('\u001b'), JSON.stringify(ok.out));
  const sneaky = file('sneaky.yaml', 'name: "ws\u009b31m\u202eevil\u200b"\nduration: 1h\n');
  const bad = await cli('validate', sneaky);
  assert.is(bad.status, STATUS.badInput, show(bad));
  assert.match(bad.err, /name: found "ws\\u009b31m\\u202eevil\\u200b"/);
  assert.not.match(bad.err, /[\u0080-\u009f\u202e\u200b]/);
});

test('a fault process named like an object property (constructor, __proto__) or unknown is refused naming the process, with no crash', async () => {
  for (const process of ['constructor', '__proto__', 'key.explode']) {
    const fault = file(`fault-${process.replace(/\W/g, '')}.yaml`, `name: x\nduration: 1h\nkeyVaults: [{name: kv1, keys: [{name: cmk, kty: RSA, size: 2048}]}]\nfaults:\n  - { process: "${process}", vault: kv1, meanTimeBetween: 1h, duration: { dist: fixed, value: 1m } }\n`);
    const o = await cli('validate', fault);
    assertBadInput(o, new RegExp(`faults\\[0\\]\\.process: found "${process.replace('.', '\\.')}"; expected one of keyVault\\.outage`));
    // Its other fields are those of some process: only the process is wrong.
    assert.not.match(o.err, /unknown field/, o.err);
  }
  const typo = file('fault-typo.yaml', `name: x\nduration: 1h\nkeyVaults: [{name: kv1, keys: [{name: cmk, kty: RSA, size: 2048}]}]\nfaults:\n  - { process: key.explode, vault: kv1, meanTimeBetween: 1h, duraton: { dist: fixed, value: 1m } }\n`);
  const o = await cli('validate', typo);
  assertBadInput(o, /faults\[0\]\.duraton: found unknown field "duraton"; expected one of process, vault, meanTimeBetween, duration, /);
});

test('sla.md shows a description, an expected value and a message holding HTML as text: no tag reaches a Markdown renderer', async () => {
  const scenario = file('html.yaml', `${SMALL_SCENARIO_TEXT}description: 'A </script><script>alert(1)</script> & <img src=x onerror=alert(1)>'\nexpect:\n  - { metric: "operations.length", equals: "<i>x</i>" }\n`);
  const out = fresh('html-out');
  const o = await cli('run', scenario, '--out', out);
  assert.is(o.status, STATUS.expectationFailed, show(o));
  const md = readFileSync(join(out, 'sla.md'), 'utf8');
  assert.ok(md.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;'), md.slice(0, 400));
  assert.ok(md.includes('"&lt;i&gt;x&lt;/i&gt;"'));
  assert.not.match(md, /<(script|img|i)[\s>]/);
});

test('merge refuses to write over one of the shards it reads', async () => {
  const [s0, s1] = [fresh('s0'), fresh('s1')];
  assert.is((await cli('sweep', SMALL, '--runs', '2', '--shard', '0/2', '--out', s0)).status, STATUS.ok);
  assert.is((await cli('sweep', SMALL, '--runs', '2', '--shard', '1/2', '--out', s1)).status, STATUS.ok);
  const before = readFileSync(join(s0, 'sweep.json'), 'utf8');
  const o = await cli('merge', s0, s1, '--out', join(s0, '..', s0.split('/').at(-1)!));
  assertBadInput(o, '--out');
  assert.match(o.err, /the shard folder .* being merged/);
  assert.is(readFileSync(join(s0, 'sweep.json'), 'utf8'), before, 'the shard is as it was');
});

test('--junit inside a new --out folder is one more file of the output; a refused command makes no folder on the way', async () => {
  const out = join(fresh('new'), 'deep', 'run');
  const o = await cli('run', SMALL, '--junit', join(out, 'junit.xml'), '--out', out);
  assert.is(o.status, STATUS.ok, show(o));
  assert.ok(readdirSync(out).includes('junit.xml') && readdirSync(out).includes('sla.json'));
  assertBadInput(await cli('run', SMALL, '--junit', join(out, 'sla.json'), '--out', out), '--junit');
  const refusedAt = fresh('refused');
  assertBadInput(await cli('run', SMALL, '--out', join(refusedAt, 'a', 'b'), '--junit', root), root);
  assertBadInput(await cli('merge', join(root, 'no-such-shard'), '--out', join(refusedAt, 'c')), /no-such-shard/);
  assert.not.ok(existsSync(refusedAt), 'no folder made for a refused command');
});

test('a pipe with no writer is refused at once, not waited on (scenario, --slo, check); a folder where the history should be is named; a /proc file that reports no size is read', async () => {
  const pipe = fresh('pipe.yaml');
  execFileSync('mkfifo', [pipe]);
  assertBadInput(await cli('validate', pipe), /pipe\.yaml: found something that is not a regular file \(a device, a pipe or a socket\); expected a scenario file$/);
  assertBadInput(await cli('run', SMALL, '--slo', pipe, '--out', fresh('slo-pipe')), /pipe\.yaml: found something that is not a regular file/);
  const run = fresh('history-pipe');
  mkdirSync(run);
  execFileSync('mkfifo', [join(run, 'timeline.jsonl')]);
  assertBadInput(await cli('check', run), /timeline\.jsonl: found something that is not a regular file/);
  const folderHistory = fresh('history-folder');
  mkdirSync(join(folderHistory, 'timeline.jsonl'), { recursive: true });
  assertBadInput(await cli('check', folderHistory), /timeline\.jsonl: found a folder; expected a timeline\.jsonl/);
  // /proc/self/status has a size of 0 and lines of "Name: value": read whole, it is a mapping of unknown fields, not "nothing".
  const status = fresh('status.yaml');
  symlinkSync('/proc/self/status', status);
  const read = await cli('validate', status);
  assert.is(read.status, STATUS.badInput, show(read));
  assert.match(read.err, /^.*status\.yaml: Name: found unknown field "Name"/);
});

test('--junit replaces only a JUnit file: the scenario itself, another run\'s sla.json or any other file is kept, and a device is named', async () => {
  const scenario = file('junit-victim.yaml', SMALL_SCENARIO_TEXT);
  assertBadInput(await cli('run', scenario, '--junit', scenario, '--out', fresh('junit-a')), /junit-victim\.yaml: found an existing file that is not JUnit XML; expected a new file path for --junit/);
  assert.is(readFileSync(scenario, 'utf8'), SMALL_SCENARIO_TEXT, 'the scenario is untouched');
  const notes = file('notes.txt', 'mine\n');
  assertBadInput(await cli('sweep', SMALL, '--runs', '2', '--junit', notes, '--out', fresh('junit-b')), /notes\.txt: found an existing file that is not JUnit XML/);
  assert.is(readFileSync(notes, 'utf8'), 'mine\n');
  assertBadInput(await cli('run', SMALL, '--junit', '/dev/null', '--out', fresh('junit-c')), /^\/dev\/null: found something that is not a regular file \(a device, a pipe or a socket\)/);
  // A JUnit file an earlier run wrote is replaced.
  const junit = fresh('junit.xml');
  assert.is((await cli('run', SMALL, '--junit', junit, '--out', fresh('junit-d'))).status, STATUS.ok);
  const again = await cli('run', SMALL, '--junit', junit, '--out', fresh('junit-e'));
  assert.is(again.status, STATUS.ok, show(again));
});

test('a path under a kernel file system is refused at once, not waited on', async () => {
  const o = await cli('run', SMALL, '--out', '/proc/no-such-folder/run');
  assertBadInput(o, '/proc/no-such-folder/run');
  assert.match(o.err, /found a path where nothing can be made \(ENOENT\)/);
});

test.run();
