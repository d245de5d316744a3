import { hasAll, keySet, type Preset } from '../preset';

/** LoginSign's user export: the destination's own column names (DESIGN.md's loginsign profile). */
export const loginSignCsv: Preset = {
	id: 'loginsign-csv',
	label: 'LoginSign user export (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['user_id', 'email', 'name', 'registration_date', 'last_login_date']),
	mapping: {
		user_id: 'user_id',
		email: 'email',
		name: 'name',
		registration_date: 'registration_date',
		last_login_date: 'last_login_date'
	}
};
