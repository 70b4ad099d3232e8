// The "replaced variable that keeps the previous one" leak: David Glasser's report from Meteor,
// "An interesting kind of JavaScript memory leak" (blog.meteor.com, 2013; discussed again in
// ElemeFE/node-interview#25). A module-level variable is replaced on every request; the function
// that replaces it captures the previous value in a closure that is never kept (`wasRotated`),
// but V8 gives all closures made in one call a single shared context, so the new value's method
// (`describe`) keeps that context, which keeps the previous value, whose method keeps the one
// before it... Nothing is added to any container: the holder is one variable, `currentSession`,
// and the leak is a linked chain through closure contexts. (i18next's cloneInstance leaks the
// same way, see i18next-clone.js.)
'use strict';
const { run } = require('./harness');

let currentSession = null;

let counter = 0;
let rotations = 0;
/** Each login (or token refresh) replaces the process-wide session snapshot. */
function refreshSession(userId) {
  const id = counter++;
  const previousSession = currentSession;
  // Used only to decide whether to log a rotation; never stored anywhere.
  const wasRotated = function () {
    return previousSession !== null && previousSession.userId === userId;
  };
  const permissions = [];
  for (let i = 0; i < 60; i++) {
    permissions.push({ resource: 'project-' + ((id + i) % 500), actions: ['read', i % 3 ? 'write' : 'admin'] });
  }
  currentSession = {
    sessionId: 'sess-' + id,
    userId,
    issuedAt: Date.now(),
    claims: JSON.stringify({ sub: userId, sid: id, permissions }),
    describe: function () {
      return 'session ' + this.sessionId + ' for ' + this.userId;
    },
  };
  if (wasRotated()) {
    rotations++;
  }
  return currentSession.describe();
}

run({
  description: 'a module variable replaced per request keeps every previous value through a shared closure context',
  markers: ['currentSession', 'previousSession'],
  step() {
    for (let i = 0; i < 40; i++) {
      refreshSession('user-' + (counter % 7));
    }
  },
});
