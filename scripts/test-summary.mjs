// Adds up the Vitest and Playwright JSON reports into one closing line: "N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
	if (!existsSync(file)) {
		console.error(`summary: ${file} is missing (that runner did not finish)`);
		failed += 1;
		continue;
	}
	const report = JSON.parse(readFileSync(file, 'utf8'));
	if ('numPassedTests' in report) {
		passed += report.numPassedTests;
		failed += report.numFailedTests;
		skipped += report.numPendingTests + report.numTodoTests;
	} else {
		passed += report.stats.expected;
		failed += report.stats.unexpected + report.stats.flaky;
		skipped += report.stats.skipped;
		// Errors outside any test (a web server that cannot start) end the run with no test failed.
		for (const error of report.errors ?? []) {
			console.error(`summary: ${file}: ${String(error.message).split('\n')[0]}`);
			failed += 1;
		}
	}
}
console.log(`\nall tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exitCode = 1;
