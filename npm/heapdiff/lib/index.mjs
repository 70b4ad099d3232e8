import api from './index.js';

export const { assertNoLeak, checkLeak, heapdiff, heapdiffJson, findBinary, platformKey } = api;
export default api;
