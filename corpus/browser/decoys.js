// The decoys every browser scenario carries: a bounded LRU cache that is full before the first
// snapshot and churns, temporary garbage, and a one-time lazy initialisation after s1.
'use strict';
class CachedResponse {
  constructor(key, n) {
    this.key = key;
    this.body = 'response body ' + n + ' ' + 'x'.repeat(64);
    this.headers = { etag: 'W/"' + n + '"' };
  }
}
class LRUCache {
  constructor(max) {
    this.max = max;
    this.map = new Map();
  }
  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      this.map.delete(this.map.keys().next().value);
    }
  }
}
class GeoEntry {
  constructor(i) {
    this.code = 'GEO-' + i;
    this.name = 'region number ' + i;
    this.neighbours = [i - 1, i + 1, i + 7];
  }
}
const responseCache = new LRUCache(300);
let cacheCounter = 0;
let geoIndex = null;
window.decoys = {
  churn(count) {
    for (let i = 0; i < count; i++) {
      const key = '/api/item/' + cacheCounter;
      responseCache.set(key, new CachedResponse(key, cacheCounter++));
    }
  },
  garbage() {
    let keep = 0;
    for (let i = 0; i < 20000; i++) {
      const tmp = { index: i, parts: [i, i * 2] };
      keep += tmp.parts.length;
    }
    return keep;
  },
  lazyInit(entries) {
    geoIndex = new Map();
    for (let i = 0; i < entries; i++) {
      geoIndex.set('GEO-' + i, new GeoEntry(i));
    }
  },
};
