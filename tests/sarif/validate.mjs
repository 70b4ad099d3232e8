// Validates SARIF files against the SARIF 2.1.0 JSON schema (OASIS, as published in
// @microsoft/jest-sarif) with ajv: prints each file's errors and exits 1 when any has one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const draft04 = require('ajv/lib/refs/json-schema-draft-04.json');
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

const ajv = new Ajv({ schemaId: 'id', allErrors: true, meta: false, validateSchema: false });
ajv.addMetaSchema(draft04);
const validate = ajv.compile(schema);
let failed = 0;
for (const file of process.argv.slice(2)) {
  const log = JSON.parse(readFileSync(file, 'utf8'));
  if (validate(log)) {
    console.log(`${file}: valid SARIF 2.1.0`);
  } else {
    failed++;
    for (const e of validate.errors) console.log(`${file}: ${e.dataPath} ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
