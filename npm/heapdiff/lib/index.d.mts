// The ES module's types are the CommonJS module's (index.d.ts), with its exports as default.
export * from './index.js';
import * as api from './index.js';
export default api;
