/** Deepest nesting Ferry reads; deeper input is refused instead of overflowing the stack. */
export const MAX_JSON_DEPTH = 256;

/** A syntax error at a character index of the parsed text. */
export class JsonSyntaxError {
	constructor(
		readonly index: number,
		readonly reason: string
	) {}
}

const ESCAPES = new Map<number, string>([
	[0x22, '"'],
	[0x5c, '\\'],
	[0x2f, '/'],
	[0x62, '\b'],
	[0x66, '\f'],
	[0x6e, '\n'],
	[0x72, '\r'],
	[0x74, '\t']
]);

function isDigit(code: number): boolean {
	return code >= 0x30 && code <= 0x39;
}

function describe(text: string, index: number): string {
	if (index >= text.length) return 'the JSON ends too early';
	return `unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(index) ?? 0))}`;
}

/**
 * A strict JSON parser for one record. Unlike JSON.parse it says where an error is, builds objects
 * without a prototype (so `__proto__`, `constructor` and `prototype` are plain keys), and keeps the
 * exact text of a number that a JavaScript number cannot hold (a 19-digit id stays
 * "1234567890123456789", as a string); other numbers are numbers.
 */
class Parser {
	#i = 0;
	constructor(readonly text: string) {}

	parse(): unknown {
		const value = this.#value(0);
		this.#space();
		if (this.#i < this.text.length) this.#fail(describe(this.text, this.#i));
		return value;
	}

	#fail(reason: string, at = this.#i): never {
		throw new JsonSyntaxError(at, reason);
	}

	#space(): void {
		const text = this.text;
		let i = this.#i;
		for (; i < text.length; i++) {
			const code = text.charCodeAt(i);
			if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
		}
		this.#i = i;
	}

	#value(depth: number): unknown {
		this.#space();
		const code = this.text.charCodeAt(this.#i);
		if (code === 0x7b) return this.#object(depth + 1);
		if (code === 0x5b) return this.#array(depth + 1);
		if (code === 0x22) return this.#string();
		if (code === 0x2d || isDigit(code)) return this.#number();
		if (this.text.startsWith('true', this.#i)) return this.#literal(4, true);
		if (this.text.startsWith('false', this.#i)) return this.#literal(5, false);
		if (this.text.startsWith('null', this.#i)) return this.#literal(4, null);
		this.#fail(describe(this.text, this.#i));
	}

	#literal(length: number, value: boolean | null): boolean | null {
		this.#i += length;
		return value;
	}

	#nest(depth: number): void {
		if (depth > MAX_JSON_DEPTH) this.#fail(`values are nested more than ${MAX_JSON_DEPTH} deep`);
		this.#i++;
		this.#space();
	}

	#object(depth: number): Record<string, unknown> {
		this.#nest(depth);
		const object = Object.create(null) as Record<string, unknown>;
		if (this.text.charCodeAt(this.#i) === 0x7d) {
			this.#i++;
			return object;
		}
		for (;;) {
			this.#space();
			if (this.text.charCodeAt(this.#i) !== 0x22)
				this.#fail(`${describe(this.text, this.#i)} where a key in quotes belongs`);
			const key = this.#string();
			this.#space();
			if (this.text.charCodeAt(this.#i) !== 0x3a)
				this.#fail(`${describe(this.text, this.#i)} where ':' belongs`);
			this.#i++;
			object[key] = this.#value(depth);
			this.#space();
			const next = this.text.charCodeAt(this.#i);
			this.#i++;
			if (next === 0x7d) return object;
			if (next !== 0x2c)
				this.#fail(`${describe(this.text, this.#i - 1)} where ',' or '}' belongs`, this.#i - 1);
		}
	}

	#array(depth: number): unknown[] {
		this.#nest(depth);
		const array: unknown[] = [];
		if (this.text.charCodeAt(this.#i) === 0x5d) {
			this.#i++;
			return array;
		}
		for (;;) {
			array.push(this.#value(depth));
			this.#space();
			const next = this.text.charCodeAt(this.#i);
			this.#i++;
			if (next === 0x5d) return array;
			if (next !== 0x2c)
				this.#fail(`${describe(this.text, this.#i - 1)} where ',' or ']' belongs`, this.#i - 1);
		}
	}

	#string(): string {
		const text = this.text;
		let i = this.#i + 1;
		let chunkStart = i;
		let result = '';
		for (;;) {
			if (i >= text.length) this.#fail('a string is never closed', this.#i);
			const code = text.charCodeAt(i);
			if (code === 0x22) break;
			if (code < 0x20) this.#fail('a control character inside a string must be escaped', i);
			if (code !== 0x5c) {
				i++;
				continue;
			}
			result += text.slice(chunkStart, i);
			const escape = text.charCodeAt(i + 1);
			const simple = ESCAPES.get(escape);
			if (simple !== undefined) {
				result += simple;
				i += 2;
			} else if (escape === 0x75 && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
				result += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
				i += 6;
			} else this.#fail('invalid escape in a string', i);
			chunkStart = i;
		}
		this.#i = i + 1;
		return result + text.slice(chunkStart, i);
	}

	#number(): number | string {
		const text = this.text;
		const start = this.#i;
		let i = start;
		if (text.charCodeAt(i) === 0x2d) i++;
		if (text.charCodeAt(i) === 0x30) i++;
		else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
		else this.#fail('invalid number', start);
		if (text.charCodeAt(i) === 0x2e) {
			i++;
			if (!isDigit(text.charCodeAt(i))) this.#fail('invalid number', start);
			while (isDigit(text.charCodeAt(i))) i++;
		}
		if ((text.charCodeAt(i) | 0x20) === 0x65) {
			i++;
			if (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d) i++;
			if (!isDigit(text.charCodeAt(i))) this.#fail('invalid number', start);
			while (isDigit(text.charCodeAt(i))) i++;
		}
		this.#i = i;
		const raw = text.slice(start, i);
		const number = Number(raw);
		return String(number) === raw ? number : raw;
	}
}

/** Parses one JSON text; throws JsonSyntaxError with the character index of the problem. */
export function parseJson(text: string): unknown {
	return new Parser(text).parse();
}
