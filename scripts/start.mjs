// `npm start`: the built app (vite preview) and the reference import API side by side.
// Ctrl-C stops both; if either exits, the other is stopped too.
import { spawn } from 'node:child_process';

const children = [
	spawn('npx', ['vite', 'preview', '--port', '4173', '--strictPort'], { stdio: 'inherit' }),
	spawn('node', ['--import', 'tsx', 'server/main.ts'], { stdio: 'inherit' })
];

let stopping = false;
function stop(code) {
	if (stopping) return;
	stopping = true;
	for (const child of children) child.kill('SIGTERM');
	process.exitCode = code;
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
console.log(
	'Ferry: the app on http://localhost:4173 — the import API on http://localhost:8787/api/v1'
);
