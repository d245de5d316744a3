// Plain JavaScript with JSDoc types: vite.config.ts imports it by its real file name, which Vite's
// native config loader needs and TypeScript accepts for .js files.

/** libphonenumber-js's helper line, in every build of the package (es6, es6-modern, source). */
const ORIGINAL =
	/return new RegExp\('\^\(\?:' \+ regularExpressionText \+ '\)\$'\)\.test\(text\);?/;

/** The same test with each pattern's RegExp built once (test() without flags keeps no state). */
const CACHED = `let pattern = compiledPatterns.get(regularExpressionText);
	if (!pattern) {
		pattern = new RegExp('^(?:' + regularExpressionText + ')$');
		compiledPatterns.set(regularExpressionText, pattern);
	}
	return pattern.test(text);`;

/**
 * The helper module with its patterns kept; throws when the helper no longer has that line.
 * @param {string} code
 * @param {string} id
 * @returns {string}
 */
export function cachePhonePatterns(code, id) {
	if (!ORIGINAL.test(code))
		throw new Error(
			`${id}: libphonenumber-js changed matchesEntirely; update phone-regexp-cache.js`
		);
	// A function, not a string: CACHED holds "$'" (a special pattern in replacement strings).
	return `const compiledPatterns = new Map();\n${code.replace(ORIGINAL, () => CACHED)}`;
}

/**
 * libphonenumber-js builds a new RegExp from its metadata's pattern text on every match, several
 * times per phone number; in a file with a phone column that was a quarter of the whole scan.
 * This plugin makes its `matchesEntirely` helper keep each compiled pattern, which changes no
 * verdict (the patterns are fixed metadata), and fails the build if the helper changes shape
 * rather than silently leaving it as it was.
 * @returns {import('vite').Plugin}
 */
export function phoneRegExpCache() {
	return {
		name: 'ferry-phone-regexp-cache',
		transform(code, id) {
			if (!/libphonenumber-js\/[^?]*helpers\/matchesEntirely\.js$/.test(id)) return null;
			return { code: cachePhonePatterns(code, id), map: null };
		}
	};
}
