// winston: a logger per request from the default container (winston.loggers.get(id)). The
// container keeps every logger it ever made, with its transports and stream plumbing.
'use strict';
const winston = require('winston');
const { run } = require('./harness');

let n = 0;
function handle() {
  const id = 'request-' + n++;
  const logger = winston.loggers.get(id, {
    level: 'info',
    format: winston.format.json(),
    transports: [new winston.transports.Console({ silent: true })],
  });
  logger.info('handled', { id });
}

run({
  description: 'winston.loggers.get(requestId) keeps one logger per request in its Container',
  markers: ['Container', 'loggers', 'DerivedLogger'],
  step() {
    for (let i = 0; i < 60; i++) {
      handle();
    }
  },
});
