// handlebars: templates compiled per request with user data baked into the source and cached
// by that source, so the template cache grows with every user.
'use strict';
const Handlebars = require('handlebars');
const { run } = require('./harness');

const templateCache = {};

function render(user) {
  const source = '<h1>Hello ' + user + '</h1><ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>';
  let template = templateCache[source];
  if (!template) {
    template = Handlebars.compile(source);
    templateCache[source] = template;
  }
  return template({ items: ['a', 'b'] });
}

let n = 0;
run({
  description: 'Handlebars.compile per user, cached by the user-specific source',
  markers: ['templateCache'],
  step() {
    for (let i = 0; i < 80; i++) {
      render('user' + n++);
    }
  },
});
