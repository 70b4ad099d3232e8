// rxjs: every request subscribes to a shared Subject through a pipe and never unsubscribes,
// so the Subject's observer list grows (the most reported rxjs "memory leak").
'use strict';
const { Subject } = require('rxjs');
const { filter, map } = require('rxjs/operators');
const { run } = require('./harness');

const priceUpdates = new Subject();

function watchPrice(sku) {
  const view = { sku, last: null };
  priceUpdates
    .pipe(
      filter((p) => p.sku === sku),
      map((p) => p.price),
    )
    .subscribe(function onPriceUpdate(price) {
      view.last = price;
    });
}

let n = 0;
run({
  description: 'rxjs subscriptions to a shared Subject, never unsubscribed',
  markers: ['observers', 'Subject', 'Subscriber', 'onPriceUpdate'],
  step() {
    for (let i = 0; i < 150; i++) {
      watchPrice('sku-' + n++);
    }
    priceUpdates.next({ sku: 'sku-1', price: 3 });
  },
});
