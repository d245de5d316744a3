const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * A C0 control but tab, line feed and carriage return (which quoted CSV fields may carry), DEL or a
 * C1 control: never part of a user's data, and NUL or ESC in stored values break the systems and
 * terminals that read them later.
 */
export function hasControlCharacter(value: string): boolean {
	return firstControlCharacter(value) >= 0;
}

/** The code of the value's first control character (as hasControlCharacter means it), else -1. */
export function firstControlCharacter(value: string): number {
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code < 0x20 && code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) return code;
		if (code >= 0x7f && code <= 0x9f) return code;
	}
	return -1;
}
