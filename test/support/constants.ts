/** The password of the test servers: tests assert it never shows up in any output. */
export const TEST_PASSWORD = 'pgtwin-Test-S3cret';
