'use strict';
// A request handler that leaks: every request subscribes to a long-lived event bus so that the
// user's session hears of configuration changes, and nothing ever unsubscribes. The bus lives as
// long as the process, so each request's listener (a closure holding its session) stays forever.

const { EventEmitter } = require('node:events');

const configBus = new EventEmitter();
configBus.setMaxListeners(0);

function handleRequest(request) {
  const session = { user: request.user, started: Date.now(), seen: [], headers: { ...request.headers } };
  configBus.on('config-changed', (config) => session.seen.push(config.version)); // LEAK SITE
  return { status: 200, body: `hello ${session.user}` };
}

module.exports = { handleRequest, configBus };
