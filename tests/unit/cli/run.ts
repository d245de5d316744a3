import { main } from '../../../bin/cli';

/** Runs the CLI's main in this process, its output captured. */
export async function run(
	argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
	let stdout = '';
	let stderr = '';
	const code = await main(argv, {
		stdout: { write: (text: string) => (stdout += text) },
		stderr: { write: (text: string) => (stderr += text) }
	});
	return { code, stdout, stderr };
}
