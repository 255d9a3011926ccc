// Runs the built pgtwin CLI (dist/, as users run it) and reports its peak RSS
// and CPU time on fd 3, so the benchmark measures the real process: CPU time
// against wall time tells whether pgtwin itself or the servers are the bottleneck.
import { writeSync } from 'node:fs';
import { main } from '../../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
const usage = process.resourceUsage();
writeSync(3, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }) + '\n');
process.exitCode = code;
