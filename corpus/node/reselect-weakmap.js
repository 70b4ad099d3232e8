// reselect 5: `createSelector` memoizes with `weakMapMemoize` by default, a tree of cache nodes
// whose object arguments are keys of WeakMaps and whose primitive arguments are keys of plain
// Maps. Called during server-side rendering with a long-lived state object (the slice's
// module-level initial state, which every per-request store starts from and a read-only page
// never replaces) and a per-request primitive (the search text), every result ever computed
// stays reachable for as long as that state object lives: the WeakMap entry's key never dies,
// and the Map under it gains a node per distinct search. As in reduxjs/reselect#635
// "Investigate potential memory leak issues with `weakmapMemoize`" (node servers leaking after
// reselect 4.1.7 -> 5.1.0; reproduced there with SSR, default states and selectors with
// primitive arguments; also reduxjs/redux-toolkit#4871). No WeakMap of the application's own:
// the holder is reselect's cache, reached only through a weak-keyed entry of a live key.
'use strict';
const { createStore } = require('redux');
const { createSelector } = require('reselect');
const { run } = require('./harness');

const COLOURS = ['red', 'blue', 'green', 'black', 'white', 'grey', 'navy', 'olive'];
const KINDS = ['shoe', 'boot', 'sandal', 'jacket', 'scarf', 'hat', 'glove', 'sock'];

// The catalog slice's initial state: built once at start-up, shared by every request's store.
const initialCatalogState = {
  currency: 'EUR',
  products: Array.from({ length: 400 }, (_, i) => ({
    id: 'P' + i,
    title: COLOURS[i % 8] + ' ' + KINDS[(i >> 3) % 8] + ' model ' + i,
    price: 10 + (i % 90),
    tags: [COLOURS[i % 8], KINDS[(i >> 3) % 8]],
  })),
};

function catalogReducer(state = initialCatalogState, action) {
  switch (action.type) {
    case 'catalog/priceChanged':
      return { ...state, products: state.products.map((p) => (p.id === action.id ? { ...p, price: action.price } : p)) };
    default:
      return state;
  }
}

/** What the search page renders: one card per matching product, with the matched words marked. */
class SearchResults {
  constructor(query, page, cards, total) {
    this.query = query;
    this.page = page;
    this.cards = cards;
    this.total = total;
    this.renderedAt = Date.now();
  }
}

const selectProducts = (state) => state.products;
const selectQuery = (state, query) => query;
const selectPage = (state, query, page) => page;

// Module-level, as selectors are: one memoized selector for the whole process.
const selectSearchResults = createSelector([selectProducts, selectQuery, selectPage], (products, query, page) => {
  const words = query.toLowerCase().split(/\s+/);
  const matches = products.filter((p) => words.some((w) => p.title.includes(w)));
  const cards = matches.slice(page * 12, page * 12 + 12).map((p) => ({
    id: p.id,
    title: p.title,
    highlighted: p.title.replace(new RegExp('(' + words.join('|') + ')', 'g'), '<mark>$1</mark>'),
    price: (p.price * 1.2).toFixed(2) + ' ' + 'EUR',
    url: '/p/' + p.id + '?q=' + encodeURIComponent(query),
  }));
  return new SearchResults(query, page, cards, matches.length);
});

let n = 0;
/** One server-rendered search page: a fresh store per request, rendered from the selector. */
function renderSearchPage() {
  const store = createStore(catalogReducer);
  // What users type: a colour and a kind, plus their own words (every search text differs).
  const query = COLOURS[n % 8] + ' ' + KINDS[(n >> 2) % 8] + ' size ' + (36 + (n % 12)) + ' ref' + n++;
  const page = n % 3;
  const results = selectSearchResults(store.getState(), query, page);
  return '<ul>' + results.cards.map((c) => '<li>' + c.highlighted + '</li>').join('') + '</ul>';
}

run({
  description:
    'reselect 5 createSelector (weakMapMemoize) called with the long-lived initial state and a per-request search text: every result stays under the state WeakMap key',
  markers: ['SearchResults', 'selectSearchResults', 'fnNode', 'memoizedResultFunc', 'initialCatalogState'],
  step() {
    for (let i = 0; i < 150; i++) {
      renderSearchPage();
    }
  },
});
