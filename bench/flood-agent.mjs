#!/usr/bin/env node
// A stand-in codex for the event-flood benchmark: `exec --json` reads the task, then prints
// FLOOD_MB megabytes of codex JSON events (command outputs and messages, ~1 KB and ~8 KB
// lines) as fast as the reader takes them, then a normal turn end.
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args[0] === '--version') {
  process.stdout.write('codex-cli 0.169.0\n');
  process.exit(0);
}
for await (const _chunk of process.stdin);
const out = (obj) => `${JSON.stringify(obj)}\n`;
const targetBytes = Number(process.env.FLOOD_MB ?? 1024) * 1024 * 1024;
const lines = [];
for (let i = 0; i < 64; i++) {
  const output = `${'build output line '.repeat(i % 8 === 0 ? 450 : 50)}${i}`;
  lines.push(out({ type: 'item.completed', item: { id: `item_${i}`, type: 'command_execution', command: `make step-${i}`, aggregated_output: output, exit_code: 0, status: 'completed' } }));
  lines.push(out({ type: 'item.completed', item: { id: `msg_${i}`, type: 'agent_message', text: `step ${i} done` } }));
}
const chunk = Buffer.from(lines.join(''));
const write = (data) => (process.stdout.write(data) ? Promise.resolve() : new Promise((resolve) => process.stdout.once('drain', resolve)));
await write(out({ type: 'thread.started', thread_id: `flood-${process.pid}` }) + out({ type: 'turn.started' }));
for (let sent = 0; sent < targetBytes; sent += chunk.length) await write(chunk);
const last = args[args.indexOf('-o') + 1];
if (args.includes('-o')) writeFileSync(last, 'flooded');
await write(out({ type: 'item.completed', item: { id: 'item_end', type: 'agent_message', text: 'flooded' } }) + out({ type: 'turn.completed', usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1 } }));
