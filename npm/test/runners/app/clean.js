'use strict';
// A request handler that does not leak, though its heap changes: product pages are rendered
// into a bounded LRU cache (full after a few requests, then churning: every new page evicts the
// oldest), and the report route builds its templates once, lazily, the first time it is asked for.

const { LruCache } = require('./lru.js');

const CAPACITY = 50;
const pageCache = new LruCache(CAPACITY);
let reportTemplates = null; // built on first use

function renderProduct(id) {
  return { id, html: `<h1>Product ${id}</h1>`.padEnd(400, ' '), tags: [`p${id}`, `c${id % 7}`] };
}

function loadReportTemplates() {
  const templates = new Map();
  for (let k = 0; k < 500; k++) {
    templates.set(`row-${k}`, { name: `row-${k}`, render: (row) => `<tr>${row.join('')}</tr>` });
  }
  return templates;
}

function handleRequest(request) {
  if (request.route === '/report') {
    reportTemplates ??= loadReportTemplates();
    return { status: 200, body: reportTemplates.get('row-1').render(['a', 'b']) };
  }
  // 20 products per request, mostly never seen before: the cache stays full and churns.
  let body = '';
  for (let k = 0; k < 20; k++) {
    const id = request.id * 20 + k;
    let page = pageCache.get(id);
    if (page === undefined) {
      page = renderProduct(id);
      pageCache.set(id, page);
    }
    body += page.html.length;
  }
  return { status: 200, body };
}

function isReportLoaded() {
  return reportTemplates !== null;
}

module.exports = { handleRequest, isReportLoaded, pageCache, CAPACITY };
