// A node:test reporter that writes every test's outcome as JSON, for check.mjs.
export default async function* jsonReporter(source) {
  const tests = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, file, details } = event.data;
    if (details.type === 'suite') continue;
    const error = details.error;
    tests.push({
      name,
      file,
      nesting,
      status: event.type === 'test:pass' ? 'passed' : 'failed',
      duration_ms: details.duration_ms,
      // node:test wraps what the test threw in an ERR_TEST_FAILURE whose cause it is.
      message: error ? String(error.cause?.message ?? error.message) : null,
    });
  }
  yield `${JSON.stringify({ tests }, null, 2)}\n`;
}
