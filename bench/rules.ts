import { REFERENCE_PROFILE } from '$lib/core/profiles/catalogue';
import { Validator } from '$lib/core/validate/validator';
import type { Counts, RulesSetup } from './protocol';

/**
 * Ferry's rules fed with a parser's rows: the same Validator, schema, mapping, columns and options
 * as the app's scan. Blank lines are skipped, as Ferry's reader skips them.
 */
export function createRules(setup: RulesSetup) {
	const validator = new Validator({ profile: REFERENCE_PROFILE, ...setup });
	return {
		add(fields: string[]): void {
			if (fields.length === 1 && fields[0] === '') return;
			validator.add(fields, fields.length);
		},
		finish(): Counts {
			const { rows, valid, invalid, warnings } = validator.finish();
			return { rows, valid, invalid, warnings };
		}
	};
}
