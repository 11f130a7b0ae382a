/** This build's version (kept equal to package.json's by test/index.test.ts): `--version` and the execution context. */
export const VERSION = '0.1.0';
