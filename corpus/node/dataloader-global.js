// dataloader: one DataLoader created at module level and shared by every request, instead of
// one per request. Its default cache is a plain Map that memoizes every key's promise (and so
// its value) forever; the README warns that this cache is meant to live for one request. As in
// OpenCTI-Platform/opencti#2878 "Memory leak issue due to misuse of the dataloader" (a long-lived
// loader; fixed by disabling its cache, #2887) and graphql/dataloader#200 (memory growing with
// every request, "reusing caches in a dangerous way").
'use strict';
const DataLoader = require('dataloader');
const { run } = require('./harness');

/** The users table behind the loader (what one batched SELECT ... WHERE id IN (...) returns). */
async function batchGetUsers(ids) {
  return ids.map((id) => ({
    id,
    email: 'user' + id + '@example.com',
    displayName: 'User number ' + id,
    roles: ['reader', id % 7 === 0 ? 'admin' : 'member'],
    profile: { bio: 'Bio of user ' + id + ' '.padEnd(120, '.'), locale: 'en-GB', avatar: '/img/' + id + '.png' },
  }));
}

// Created once when the module loads: shared by every request for the life of the process.
const userLoader = new DataLoader(batchGetUsers);

let nextUser = 0;
/** A GraphQL-style request: resolve the authors of a page of comments through the loader. */
async function handleCommentsPage() {
  const authorIds = [];
  for (let i = 0; i < 20; i++) {
    authorIds.push(nextUser++);
  }
  const authors = await Promise.all(authorIds.map((id) => userLoader.load(id)));
  return authors.map((u) => u.displayName).join(', ');
}

run({
  description: 'a module-level DataLoader shared by all requests: its cache Map keeps every loaded user',
  markers: ['DataLoader', '_cacheMap', 'userLoader'],
  async step() {
    for (let i = 0; i < 20; i++) {
      await handleCommentsPage();
    }
  },
});
