// Measurement helpers of `npm run bench`: wall and CPU time of a child (GNU time), peak RSS
// of one process (VmHWM sampled from /proc), medians, alternating rounds.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Peak RSS (VmHWM, MB) of `pid`, sampled every 20 ms until `stop()` is called. */
export function samplePeakRss(pid) {
  let peakKb = 0;
  const read = () => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // exited
    }
  };
  const timer = setInterval(read, 20);
  return () => {
    read();
    clearInterval(timer);
    return peakKb / 1024;
  };
}

/**
 * Runs `file args` (no shell) and resolves { ms, cpuMs, peakMb, code, stdout, stderr }: wall
 * time, user+sys CPU of it and all its waited-for descendants (GNU time), and with
 * `rss: true` the peak RSS of the process itself (then CPU is not measured).
 */
export function runTimed(file, args, { env, cwd, input, rss = false, timeoutMs = 600_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(dir, 'time');
  const useTime = !rss && existsSync(GNU_TIME);
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stopRss = rss ? samplePeakRss(child.pid) : () => 0;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const peakMb = stopRss();
      let cpuMs = null;
      if (useTime && existsSync(timeFile)) {
        const fields = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        cpuMs = (fields[1] + fields[2]) * 1000;
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms, cpuMs, peakMb, code, stdout, stderr });
    });
  });
}

/** Like runTimed, but a non-zero exit is an error naming the command. */
export async function runChecked(name, file, args, opts) {
  const result = await runTimed(file, args, opts);
  if (result.code !== 0) throw new Error(`${name} exited ${result.code}: ${result.stderr.slice(-800)}`);
  return result;
}

/**
 * Alternating rounds: each round runs every variant once, in an order that rotates, so load
 * that comes and goes hits all of them alike. Resolves { [name]: [result, …] }.
 */
export async function alternate(rounds, variants) {
  const names = Object.keys(variants);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      results[name].push(await variants[name](round));
    }
  }
  return results;
}

/** The median of one field over a list of results, rounded to `digits`. */
export function medianOf(results, field, digits = 0) {
  const value = median(results.map((result) => result[field]).filter((v) => v !== null && v !== undefined));
  return Number(value.toFixed(digits));
}

/** Instructions the process (not its children) executes, by callgrind; null when valgrind is missing. */
export async function countInstructions(file, args, opts = {}) {
  if (!existsSync('/usr/bin/valgrind')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  try {
    const out = join(dir, 'cg.out');
    const result = await runTimed('/usr/bin/valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, '--trace-children=no', file, ...args], { ...opts, timeoutMs: 300_000 });
    const summary = /summary:\s+(\d+)/.exec(existsSync(out) ? readFileSync(out, 'utf8') : '');
    if (result.code !== 0 || !summary) return null;
    return Number(summary[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
