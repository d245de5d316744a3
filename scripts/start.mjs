// `npm start`: the built app (vite preview, in this process) and the reference import API (its
// built JavaScript, server/dist/main.js, in a child process) side by side. Ctrl-C or SIGTERM stops
// both; if the API exits, the app stops too.
import { spawn } from 'node:child_process';
import { preview } from 'vite';

const api = spawn(process.execPath, ['server/dist/main.js'], { stdio: 'inherit' });
/** @type {import('vite').PreviewServer | undefined} */
let app;
let stopping = false;

/** @param {number} code */
async function stop(code) {
	if (stopping) return;
	stopping = true;
	process.exitCode = code;
	if (api.exitCode === null && api.signalCode === null) api.kill('SIGTERM');
	await app?.close();
}
api.on('exit', (code) => stop(code ?? 1));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
	app = await preview({ preview: { port: 4173, strictPort: true } });
} catch (error) {
	console.error(
		`Ferry: the app could not start: ${error instanceof Error ? error.message : error}`
	);
	await stop(1);
}
if (stopping) await app?.close();
else
	console.log(
		'Ferry: the app on http://localhost:4173 — the import API on http://localhost:8787/api/v1'
	);
