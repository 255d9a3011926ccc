// Runs the built pgtwin CLI (dist/, as users run it) and reports its peak RSS
// on fd 3, so the benchmark measures the memory of the real process.
import { writeSync } from 'node:fs';
import { main } from '../../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }) + '\n');
process.exitCode = code;
