/** Same as bin/pgtwin, but straight from the TypeScript sources (no build needed in tests). */
import { main } from '../../src/cli/main.js';

process.exit(await main(process.argv.slice(2)));
