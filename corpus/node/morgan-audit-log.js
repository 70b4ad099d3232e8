// morgan (express's request logger) writing to an in-memory audit stream that appends every
// line to one string: the string only grows, one concatenation per request.
'use strict';
const express = require('express');
const morgan = require('morgan');
const { run, get, listen } = require('./harness');

const audit = { text: '', lines: 0 };
const auditStream = {
  write(line) {
    audit.text += line;
    audit.lines++;
  },
};

run({
  description: 'morgan logs every request into one ever-growing string',
  markers: ['audit'],
  async setup() {
    const app = express();
    app.use(morgan(':method :url :status :res[content-length] - :response-time ms', { stream: auditStream }));
    app.get('/items/:id', (req, res) => res.json({ id: req.params.id }));
    return listen(app);
  },
  async step(server, step) {
    for (let i = 0; i < 200; i++) {
      await get(server.port, '/items/' + step + '-' + i + '?q=' + 'abc'.repeat(8));
    }
  },
  teardown: (server) => server.close(),
});
