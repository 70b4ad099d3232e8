import api from './playwright.js';

export const { assertNoLeak, checkLeak } = api;
export default api;
