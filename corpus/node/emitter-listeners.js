// eventemitter3: every request subscribes a listener to a process-wide bus and never removes
// it (the classic MaxListenersExceeded leak, without the warning: eventemitter3 has none).
'use strict';
const EventEmitter = require('eventemitter3');
const { run } = require('./harness');

const bus = new EventEmitter();

function handleRequest(id) {
  const request = { id, path: '/orders/' + id, startedAt: Date.now(), headers: { accept: 'json' } };
  bus.on('config-changed', function onConfigChanged(config) {
    request.config = config;
  });
  return request.path;
}

let id = 0;
run({
  description: 'a listener per request on a shared eventemitter3 bus, never removed',
  markers: ['onConfigChanged', '_events', 'EE'],
  step() {
    for (let i = 0; i < 250; i++) {
      handleRequest(id++);
    }
  },
});
