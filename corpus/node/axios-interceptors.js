// axios: an interceptor registered on a shared client inside a request handler, never ejected,
// so the client's interceptor list grows with every request.
'use strict';
const axios = require('axios');
const { run } = require('./harness');

const api = axios.create({ baseURL: 'http://127.0.0.1:9', timeout: 1000 });

let n = 0;
function handle() {
  const traceId = 'trace-' + n++;
  api.interceptors.request.use(function addTraceHeader(config) {
    config.headers['x-trace-id'] = traceId;
    return config;
  });
}

run({
  description: 'axios interceptors added per request, never ejected',
  markers: ['interceptors', 'InterceptorManager', 'handlers', 'addTraceHeader'],
  step() {
    for (let i = 0; i < 300; i++) {
      handle();
    }
  },
});
