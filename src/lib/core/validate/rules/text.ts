// C0 controls but tab, line feed and carriage return (which quoted CSV fields may carry), DEL and
// the C1 controls: never part of a user's data, and NUL or ESC in stored values break the systems
// and terminals that read them later.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export function hasControlCharacter(value: string): boolean {
	return CONTROL.test(value);
}
