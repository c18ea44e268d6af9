// Runs command-line clients (kcat, the Kafka CLI tools, kafkactl) for the wrapper scenarios.
import { spawn } from 'node:child_process';
import { Fail } from './common.mjs';

/** Run a command; resolves {code, stdout, stderr}; kills it after timeoutMs. */
export function exec(cmd, argv, { input, timeoutMs = 60000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    let stdout = '', stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `killed (${signal}) after ${timeoutMs / 1000}s` : code, stdout, stderr });
    });
    child.stdin.on('error', () => { /* the command exited without reading its input */ });
    child.stdin.end(input ?? '');
  });
}

/** Like exec but a non-zero exit is a scenario failure naming the step. */
export async function must(step, cmd, argv, opts) {
  const r = await exec(cmd, argv, opts);
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').filter((l) => !/^\s*at /.test(l)).slice(-3).join(' | ');
    throw new Fail(`${step}: exit ${r.code}: ${tail.slice(0, 400)}`);
  }
  return r;
}
