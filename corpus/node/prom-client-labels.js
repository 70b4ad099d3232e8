// prom-client: a histogram labelled with the raw request path (ids included), so every path is
// a new label set kept forever (label-cardinality explosion).
'use strict';
const client = require('prom-client');
const { run } = require('./harness');

const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'request duration',
  labelNames: ['method', 'route'],
  buckets: [0.01, 0.1, 1],
});

let n = 0;
run({
  description: 'prom-client histogram labelled by raw path: one label set per request',
  markers: ['hashMap', 'Histogram', 'http_request_duration_seconds'],
  step() {
    for (let i = 0; i < 200; i++) {
      httpDuration.observe({ method: 'GET', route: '/users/' + n++ }, Math.random());
    }
  },
});
