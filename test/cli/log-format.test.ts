/**
 * Logs for people on a terminal, JSON for machines: text only when both stdout and stderr are a
 * terminal and --json is not given (README.md "Deployment", Logs; docs/configuration.md
 * `PORTCULLIS_LOG_LEVEL`). The text is made from the redacted JSON line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { chooseLogFormat } from '../../src/cli/log-format.js';
import { createLogger, formatLogLine } from '../../src/server/logger.js';
import { CLI_MAIN } from '../support/cli-process.js';

const SCRIPT = '/usr/bin/script';

function sink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}

/**
 * Runs `portcullis serve` on a pseudo-terminal (util-linux `script`), so stdout and stderr are
 * TTYs as in a person's shell, until `done` matches what the terminal shows.
 */
async function serveOnTerminal(dir: string, extraArgs: string[], done: RegExp): Promise<string> {
  const tsx = import.meta.resolve('tsx');
  const command = [process.execPath, '--import', tsx, CLI_MAIN, 'serve', '--port', '0', '--db', `sqlite:${join(dir, 'portcullis.db')}`, ...extraArgs]
    .map((a) => `'${a}'`)
    .join(' ');
  const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
    env: { ...process.env, PORTCULLIS_SECRET: '', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString('utf8')));
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${done} on the terminal within 60 s:\n${screen}`)), 60_000);
      child.stdout.on('data', () => {
        if (!done.test(screen)) return;
        clearTimeout(timer);
        resolve(screen);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code}:\n${screen}`));
      });
    });
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

describe('log format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-logs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is text only on a terminal, and JSON with --json or when either stream is redirected', () => {
    assert.equal(chooseLogFormat({ json: false, stdoutIsTTY: true, stderrIsTTY: true }), 'text');
    assert.equal(chooseLogFormat({ json: true, stdoutIsTTY: true, stderrIsTTY: true }), 'json');
    assert.equal(chooseLogFormat({ json: false, stdoutIsTTY: false, stderrIsTTY: true }), 'json');
    assert.equal(chooseLogFormat({ json: false, stdoutIsTTY: true, stderrIsTTY: false }), 'json');
    assert.equal(chooseLogFormat({ json: false, stdoutIsTTY: false, stderrIsTTY: false }), 'json');
  });

  it('text lines carry the level, the message and the fields, redacted as the JSON is', () => {
    const out = sink();
    const logger = createLogger({ format: 'text', level: 'info', destination: out.stream });
    logger.warn({ event: 'secret_created', file: '/var/lib/portcullis.secret' }, 'created a master secret');
    logger.info({ event: 'login_failed', body: { password: 'hunter2 hunter2' }, detail: 'two words' }, 'sign-in failed');
    assert.equal(out.lines.length, 2);
    assert.match(out.lines[0]!, /^\d\d:\d\d:\d\d WARN {2}created a master secret {2}event=secret_created file=\/var\/lib\/portcullis\.secret\n$/);
    assert.match(out.lines[1]!, /^\d\d:\d\d:\d\d INFO {2}sign-in failed {2}event=login_failed body=\{"password":"\[redacted\]"\} detail="two words"\n$/);
    assert.ok(!out.lines.join('').includes('hunter2'));
    assert.doesNotMatch(out.lines.join(''), /"pid"|hostname/);
  });

  it('text escapes control characters, so a logged value cannot drive the terminal', () => {
    const line = formatLogLine(JSON.stringify({ level: 30, time: 0, msg: 'upstream said \u001b[2J', detail: 'a\u001b]0;owned\u0007b\u009b' }));
    assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(line, /upstream said \\u001b\[2J/);
  });

  it('JSON stays the default of createLogger', () => {
    const out = sink();
    createLogger({ destination: out.stream }).info({ event: 'x' }, 'y');
    assert.equal((JSON.parse(out.lines[0]!) as { event: string }).event, 'x');
  });

  it('serve on a terminal shows text logs, and JSON with --json', {
    skip: existsSync(SCRIPT) ? false : `no ${SCRIPT} (util-linux) to make a terminal`,
  }, async () => {
    const text = await serveOnTerminal(join(dir, 'text'), [], /Portcullis is listening[\s\S]*Add a user/);
    assert.match(text, /^\d\d:\d\d:\d\d WARN {2}created a master secret in .*portcullis\.secret .* {2}event=secret_created\r?$/m);
    assert.doesNotMatch(text, /\{"level"/);
    const json = await serveOnTerminal(join(dir, 'json'), ['--json'], /"database": "sqlite"[\s\S]*\}/);
    assert.match(json, /^\{"level":40,.*"event":"secret_created"/m);
  });
});
