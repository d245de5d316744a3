import { asJsonText, hasAny, keySet, reshaped, type Preset } from '../preset';

/** `enabled: false` is a blocked user; without `enabled` nothing is known. */
function blocked(enabled: unknown): unknown {
	return typeof enabled === 'boolean' ? !enabled : undefined;
}

/**
 * `kc.sh export --users realm_file`: the realm's `users` array of UserRepresentation (keycloak
 * core/src/main/java/org/keycloak/representations/idm/UserRepresentation.java). `credentials`
 * holds the password as `{type: "password", secretData: "{value, salt}", credentialData:
 * "{hashIterations, algorithm}"}` (JSON strings inside); `attributes` maps names to string lists.
 */
export const keycloakRealm: Preset = {
	id: 'keycloak-realm',
	label: 'Keycloak realm export (JSON)',
	detect(input) {
		if (input.format === 'csv') return false;
		const keys = keySet(input);
		return (
			keys.has('username') &&
			hasAny(keys, ['createdTimestamp', 'credentials', 'realmRoles', 'requiredActions'])
		);
	},
	mapping: {
		id: 'user_id',
		username: 'username',
		email: 'email',
		emailVerified: 'email_verified',
		firstName: 'given_name',
		lastName: 'family_name',
		// Epoch milliseconds.
		createdTimestamp: 'registration_date',
		blocked: 'blocked',
		credentials: 'password',
		federatedIdentities: 'identities',
		realmRoles: 'roles',
		attributes: 'user_metadata',
		groups: null,
		clientRoles: null,
		requiredActions: null,
		disableableCredentialTypes: null,
		totp: null,
		notBefore: null,
		origin: null,
		federationLink: null,
		serviceAccountClientId: null,
		clientConsents: null,
		access: null,
		self: null
	},
	transformRecord: (record) =>
		reshaped(record, {
			enabled: undefined,
			blocked: blocked(record.enabled),
			attributes: asJsonText(record.attributes)
		})
};
