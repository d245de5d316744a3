#!/usr/bin/env node
// The `ferry` command line: the app's core, headless. TypeScript sources run through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2), {
	stdout: process.stdout,
	stderr: process.stderr
});
