export * from './rows';
export * from './csv';
export * from './collect';
export * from './error';
export * from './keys';
export * from './recipients';
export {
	decryptReport,
	deriveKeyInProcess,
	encryptReport,
	generateRecipientKeyPair,
	readReportHeader,
	REPORT_COSTS,
	type DecryptOptions,
	type EncryptOptions,
	type KeyDeriver,
	type ReportCost,
	type ReportHeader,
	type ReportKey
} from './cipher';
