#!/usr/bin/env node
// The `ferry` command line: the app's core, headless, as built JavaScript (npm run build → dist/cli.js).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
	process.stderr.write(
		"ferry: the CLI is not built yet (dist/cli.js is missing): run 'npm run build' first.\n"
	);
	process.exit(1);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2), {
	stdout: process.stdout,
	stderr: process.stderr
});
