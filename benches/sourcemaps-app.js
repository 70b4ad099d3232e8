// Entry of the large minified bundle that benches/sourcemaps.sh builds with esbuild (one file,
// --minify, external map) from the libraries in corpus/node_modules, runs in Node and snapshots.
//
//   node --expose-gc bench-data/sourcemaps-bench/app.js OUT_DIR [WARMUP] [REQUESTS]
//
// Each "request" leaks through several libraries, so the late snapshot holds many new closures
// and objects whose sites are spread over many functions of the bundle: a cached ajv validator,
// a lodash memoized function, an eventemitter3 listener, a winston logger per tenant, a compiled
// handlebars template, an rxjs subscription, a DataLoader, an axios instance with interceptors,
// an express router with routes, a redux store with a subscriber, a debug namespace, i18next
// and node-cache and lru-cache entries, prom-client label sets, preact and React elements, a Vue
// reactive object with a watcher, luxon dates, a postcss tree, a mongoose schema now and then.
'use strict';
const v8 = require('node:v8');
const path = require('node:path');
const fs = require('node:fs');

const Ajv = require('ajv');
const axios = require('axios');
const express = require('express');
const Handlebars = require('handlebars');
const _ = require('lodash');
const mongoose = require('mongoose');
const rxjs = require('rxjs');
const operators = require('rxjs/operators');
const winston = require('winston');
const promClient = require('prom-client');
const i18next = require('i18next');
const NodeCache = require('node-cache');
const DataLoader = require('dataloader');
const { LRUCache } = require('lru-cache');
const EventEmitter3 = require('eventemitter3');
const preact = require('preact');
const React = require('react');
const ReactDOMServer = require('react-dom/server');
const redux = require('redux');
const vue = require('vue');
const luxon = require('luxon');
const postcss = require('postcss');
const debug = require('debug');
const qs = require('qs');
const semver = require('semver');
const MagicString = require('magic-string');

// ---- long-lived state: the holders the leak grows in ---------------------------------------
const ajv = new Ajv({ allErrors: true });
const validators = new Map();
const bus = new EventEmitter3();
const loggers = new Map();
const templates = {};
const subscriptions = [];
const ticks = new rxjs.Subject();
const loaders = new Map();
const clients = [];
const routers = [];
const stores = [];
const debuggers = [];
const nodeCache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false });
const lru = new LRUCache({ max: 1e6 });
const vnodes = [];
const reactive = [];
const stopWatchers = [];
const dates = [];
const cssRoots = [];
const models = [];
const edits = [];
const registry = new promClient.Registry();
const requests = new promClient.Counter({
  name: 'bench_requests_total', help: 'requests', labelNames: ['tenant', 'route'], registers: [registry],
});
const latency = new promClient.Histogram({
  name: 'bench_latency_seconds', help: 'latency', labelNames: ['tenant'], registers: [registry],
});
const i18n = i18next.createInstance();
i18n.init({ lng: 'en', resources: { en: { translation: { hello: 'Hello {{name}}' } } }, initImmediate: false });

const sink = new winston.transports.Stream({ stream: new (require('node:stream').Writable)({ write(_c, _e, cb) { cb(); } }) });

// A memoized, lodash-heavy "price" function per request, kept forever.
const memoized = [];
const pricers = _.memoize((tenant) => _.memoize((items) => _.sumBy(items, 'price') * (1 + tenant.length / 100)));

function handleRequest(i) {
  const tenant = `tenant-${i % 997}`;
  const route = `/api/v${i % 7}/items/${i}`;

  // ajv: a schema per request, compiled and cached by its id (never evicted).
  const schema = {
    $id: `urn:req:${i}`, type: 'object', required: ['id', `f${i}`],
    properties: { id: { type: 'integer' }, [`f${i}`]: { type: 'string', maxLength: i % 50 + 5 } },
  };
  validators.set(schema.$id, ajv.compile(schema));

  // lodash: memoize per request; the cache holds the items.
  const items = _.times(3, (k) => ({ sku: `${i}-${k}`, price: k + i % 13 }));
  const price = pricers(tenant);
  price(items);
  memoized.push(_.debounce(_.partial(price, items), 1000, { maxWait: 5000 }));
  memoized.push(_.throttle(() => items.length, 500));

  // eventemitter3: one listener per request, never removed.
  bus.on('config', (cfg) => { items.cfg = cfg; });

  // winston: a child logger per request (the parent per tenant), kept in a map.
  let parent = loggers.get(tenant);
  if (!parent) {
    parent = winston.createLogger({
      level: 'info',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [sink],
    });
    loggers.set(tenant, parent);
  }
  loggers.set(`${tenant}#${i}`, parent.child({ requestId: i }));

  // handlebars: a template per request, compiled, cached and run once.
  const tpl = Handlebars.compile(`<li data-i="${i}">{{name}} {{#each items}}{{sku}} {{/each}}</li>`);
  templates[route] = tpl;
  tpl({ name: tenant, items });

  // rxjs: a pipeline subscribed per request, never unsubscribed.
  subscriptions.push(ticks.pipe(
    operators.filter((t) => t % 997 === i % 997),
    operators.map((t) => t + i),
    operators.scan((acc, t) => acc + t, 0),
    operators.debounceTime(10),
  ).subscribe({ next: (v) => { items.last = v; } }));

  // DataLoader per request, kept with its cache.
  const loader = new DataLoader(async (keys) => keys.map((k) => ({ k, i })));
  loader.load(`${i}`);
  loaders.set(i, loader);

  // axios: an instance per tenant request with its interceptors.
  const client = axios.create({ baseURL: `http://127.0.0.1:9/${tenant}`, timeout: 1000, headers: { 'x-req': String(i) } });
  client.interceptors.request.use((cfg) => { cfg.headers['x-seen'] = i; return cfg; });
  client.interceptors.response.use((r) => r, (e) => Promise.reject(e));
  clients.push(client);

  // express: a router per request with its own routes and middleware.
  const router = express.Router();
  router.use((req, res, next) => { req.i = i; next(); });
  router.get(route, (req, res) => res.json({ i }));
  router.post(`${route}/:id`, express.json(), (req, res) => res.send(req.params.id));
  routers.push(router);

  // redux: a store per request with a subscriber.
  const store = redux.createStore(
    redux.combineReducers({
      count: (s = 0, a) => (a.type === 'inc' ? s + 1 : s),
      items: (s = [], a) => (a.type === 'add' ? [...s, a.item] : s),
    }),
  );
  store.subscribe(() => { items.state = store.getState(); });
  store.dispatch({ type: 'add', item: items[0] });
  stores.push(store);

  // debug: a namespace per request.
  debuggers.push(debug(`bench:req:${i}`));

  // caches with no eviction in practice.
  nodeCache.set(`k${i}`, { tenant, route, items });
  lru.set(`r${i}`, { query: qs.parse(`a=${i}&b[c]=${tenant}&d[]=1&d[]=2`), v: semver.inc('1.0.0', 'patch') });

  // prom-client: unbounded label values.
  requests.inc({ tenant, route });
  latency.observe({ tenant }, (i % 100) / 1000);

  // i18next: a resource bundle per request.
  i18n.addResourceBundle('en', `ns${i}`, { greet: `Hi #${i} {{name}}` }, true, true);
  i18n.t(`ns${i}:greet`, { name: tenant });

  // preact and React elements kept; React rendered to a string.
  const Item = (props) => preact.h('li', { key: props.sku }, props.sku);
  vnodes.push(preact.h('ul', { id: `l${i}` }, items.map((it) => preact.h(Item, it))));
  const RItem = ({ sku }) => React.createElement('li', null, sku);
  const relem = React.createElement('ul', { id: `r${i}` }, items.map((it) => React.createElement(RItem, { key: it.sku, ...it })));
  if (i % 10 === 0) items.html = ReactDOMServer.renderToStaticMarkup(relem);
  vnodes.push(relem);

  // vue: a reactive object with a computed and a watcher, never stopped.
  const state = vue.reactive({ i, items, tenant });
  const total = vue.computed(() => state.items.length + state.i);
  stopWatchers.push(vue.watch(() => state.i, (n) => { state.n = n + total.value; }));
  reactive.push(state);

  // luxon dates and postcss trees kept.
  dates.push(luxon.DateTime.fromMillis(1.7e12 + i * 1000).setZone('UTC').plus({ days: i % 30 }));
  cssRoots.push(postcss.parse(`.r${i} { color: #${(i % 4096).toString(16)}; margin: ${i % 9}px }`));

  // magic-string edits kept.
  const ms = new MagicString(`const x${i} = ${i};`);
  ms.overwrite(0, 5, 'let  ');
  edits.push(ms);

  // mongoose: a schema and model now and then (no connection).
  if (i % 25 === 0) {
    const s = new mongoose.Schema({ name: String, n: { type: Number, default: i }, tags: [String] });
    s.virtual('label').get(function label() { return `${this.name}:${this.n}`; });
    s.pre('save', function preSave() { this.n += 1; });
    models.push(mongoose.model(`Bench${i}`, s));
  }

  ticks.next(i);
}

function snapshot(out, name) {
  global.gc();
  global.gc();
  const file = path.join(out, `${name}.heapsnapshot`);
  const tmp = `${file}.tmp`;
  v8.writeHeapSnapshot(tmp);
  fs.renameSync(tmp, file);
  return file;
}

function main() {
  const out = path.resolve(process.argv[2] || '.');
  const warmup = Number(process.argv[3] || 300);
  const n = Number(process.argv[4] || 3000);
  fs.mkdirSync(out, { recursive: true });
  let i = 0;
  for (; i < warmup; i++) handleRequest(i);
  bus.emit('config', { at: 'warmup' });
  setTimeout(() => {
    console.error(`base: ${snapshot(out, 'base')}`);
    for (; i < warmup + n; i++) handleRequest(i);
    bus.emit('config', { at: 'late' });
    setTimeout(() => {
      console.error(`late: ${snapshot(out, 'late')}`);
      process.exit(0);
    }, 50);
  }, 50);
}

main();
