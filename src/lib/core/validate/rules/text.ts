const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * A C0 control but tab, line feed and carriage return (which quoted CSV fields may carry), DEL or a
 * C1 control: never part of a user's data, and NUL or ESC in stored values break the systems and
 * terminals that read them later.
 */
export function hasControlCharacter(value: string): boolean {
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code < 0x20 && code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) return true;
		if (code >= 0x7f && code <= 0x9f) return true;
	}
	return false;
}
