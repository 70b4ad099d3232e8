// The ES module's types are the CommonJS module's (playwright.d.ts), with its exports as default.
export * from './playwright.js';
import * as api from './playwright.js';
export default api;
