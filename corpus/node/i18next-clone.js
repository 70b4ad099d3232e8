// i18next: an i18next instance per server-side render, cloned from the PREVIOUS request's clone
// (`instance = instance.cloneInstance({ ...config, initImmediate: false })`), as next-i18next's
// node client did in v8.1.2 (i18next/next-i18next#1101 "Memory leak caused by cloning the i18n
// instance", fixed by #1110 "cloning always from the main instance"). Each clone keeps the one
// it was cloned from: the '*' listener cloneInstance() puts on the clone's Translator shares its
// closure context with the parent's `this`, so the module variable holds a chain of every clone.
'use strict';
const i18n = require('i18next');
const { run } = require('./harness');

// Translations bundled with the service (what i18next-fs-backend would have loaded).
function bundle(lng) {
  const common = {};
  for (let i = 0; i < 40; i++) {
    common['key' + i] = lng + ' text for key ' + i + ', {{name}}';
  }
  return { common };
}
const config = {
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: ['en', 'de', 'fr'],
  ns: ['common'],
  defaultNS: 'common',
  resources: { en: bundle('en'), de: bundle('de'), fr: bundle('fr') },
  interpolation: { escapeValue: false },
};

// next-i18next's createClient (node), before the fix.
let instance;
function createClient(cfg) {
  if (!instance) {
    instance = i18n.createInstance(cfg);
  } else {
    instance = instance.cloneInstance({ ...cfg, initImmediate: false });
  }
  if (!instance.isInitialized) {
    instance.init(cfg);
  }
  return { i18n: instance };
}

const languages = ['en', 'de', 'fr'];
let n = 0;
function renderPage() {
  const lng = languages[n % 3];
  const { i18n: pageI18n } = createClient({ ...config, lng });
  pageI18n.changeLanguage(lng);
  return pageI18n.t('key' + (n++ % 40), { name: 'visitor ' + n });
}

run({
  description: 'next-i18next cloned each request i18next instance from the previous clone: a chain of every clone',
  markers: ['I18n', 'Translator'],
  step() {
    for (let i = 0; i < 20; i++) {
      renderPage();
    }
  },
});
