/** Replace in column: an exact cell value, or a JavaScript regular expression the admin types. */
export interface ReplaceSpec {
	column: number;
	mode: 'exact' | 'pattern';
	/** exact: the whole (trimmed) cell; pattern: a RegExp source. */
	find: string;
	replacement: string;
	/** pattern: ignore case. */
	ignoreCase?: boolean;
}

/** Why a pattern cannot be used, in words for the admin; null when it can. */
export function patternError(spec: ReplaceSpec): string | null {
	if (spec.mode !== 'pattern') return null;
	if (spec.find === '') return 'Type a pattern to look for.';
	try {
		new RegExp(spec.find, 'u');
		return null;
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return `This is not a valid pattern: ${reason.replace(/^Invalid regular expression: /, '')}`;
	}
}

/**
 * The value a cell becomes, or null when the spec leaves it as it is. Exact: the trimmed cell
 * equals `find` and becomes `replacement`. Pattern: every match is replaced (`$1` and `$&` work as
 * in String.replace). The caller checks patternError first.
 */
export function cellReplacer(spec: ReplaceSpec): (value: string) => string | null {
	if (spec.mode === 'exact') {
		const find = spec.find.trim();
		return (value) =>
			value.trim() === find && value !== spec.replacement ? spec.replacement : null;
	}
	const pattern = new RegExp(spec.find, spec.ignoreCase ? 'giu' : 'gu');
	return (value) => {
		pattern.lastIndex = 0;
		if (!pattern.test(value)) return null;
		const replaced = value.replace(pattern, spec.replacement);
		return replaced === value ? null : replaced;
	};
}
