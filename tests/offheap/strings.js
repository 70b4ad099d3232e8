// A service caching every large payload it decodes: Node makes a string over ~1 MB decoded
// from a Buffer external, its characters outside the JS heap. node --expose-gc strings.js DIR
const { snapshot } = require('./snap');
const cache = [];
(async () => {
  for (let step = 1; step <= 3; step++) {
    for (let i = 0; i < 12; i++) {
      cache.push(Buffer.alloc(2 * 1024 * 1024, 97 + (cache.length % 26)).toString('latin1'));
    }
    await snapshot(process.argv[2], step);
  }
})();
