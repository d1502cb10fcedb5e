/** The version of Portcullis, as reports and `--version` show it; a test keeps it equal to package.json's. */
export const PORTCULLIS_VERSION = '0.1.0';
