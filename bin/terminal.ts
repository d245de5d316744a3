/*
 * What the CLI prints comes partly from the file it reads (column names, values, notices quoting
 * them) and from the command line (file names). A terminal acts on control characters: ESC and
 * the C1 CSI/OSC introducers start sequences that move the cursor, retitle the window, or write
 * hyperlinks; a bidi override reorders what follows. These are shown as escapes instead.
 */

/** C0 (tab and newline included), DEL, C1, the line/paragraph separators and bidi controls. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw among the above (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (char: string, digits: number) => char.charCodeAt(0).toString(16).padStart(digits, '0');

/**
 * `text` safe to print on a terminal: every control character becomes a visible escape (`\x1b`,
 * `\n`, `\u202e`). Tabs and newlines the CLI means to print go around the result, never through it.
 */
export function escapeForTerminal(text: string): string {
	return text.replace(UNSAFE, (char) => {
		if (char === '\n') return '\\n';
		if (char === '\r') return '\\r';
		if (char === '\t') return '\\t';
		return char.charCodeAt(0) <= 0xff ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`;
	});
}

/**
 * JSON.stringify, with the control characters it leaves raw (DEL, C1, separators, bidi) written
 * as \u escapes too: the same value for a JSON reader, nothing a terminal acts on. Outside
 * strings JSON text is ASCII, so every match is inside a string.
 */
export function jsonForTerminal(value: unknown): string {
	return JSON.stringify(value).replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}
