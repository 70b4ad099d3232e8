// node-schedule: every cart update schedules a named one-off "abandoned cart" reminder a day
// ahead (`schedule.scheduleJob('cart-reminder-' + requestId, date, fn)`) and never cancels the
// previous one. node-schedule keeps every pending job in its `scheduledJobs` registry (by name)
// and its Invocation in the sorted `invocations` queue behind its single timer, each with the
// closure and cart snapshot it was given. The growth users report in node-schedule's tracker:
// one-off jobs piling up in scheduledJobs (node-schedule/node-schedule#478, fixed for jobs that
// already ran by #581) and "How to free memory after running schedule function?" (#476, answer:
// cancel the job).
'use strict';
const schedule = require('node-schedule');
const { run } = require('./harness');

const DAY = 24 * 60 * 60 * 1000;
const sentReminders = [];

function sendReminderEmail(cart) {
  sentReminders.push(cart.cartId);
}

let requestId = 0;
/** PUT /cart/:id: save the cart and (re)schedule the reminder, forgetting the old one. */
function updateCart(cartId) {
  const id = requestId++;
  const cart = {
    cartId,
    customerEmail: 'shopper' + cartId + '@example.com',
    items: [
      { sku: 'SKU-' + (id % 97), title: 'Item ' + id + ' in cart ' + cartId, qty: 1 + (id % 3) },
      { sku: 'SKU-' + (id % 89), title: 'Another item for request ' + id, qty: 1 },
    ],
    note: 'cart snapshot taken at request ' + id + ' '.padEnd(120, '-'),
  };
  const remindAt = new Date(Date.now() + DAY + id * 1000);
  schedule.scheduleJob('cart-reminder-' + cartId + '-' + id, remindAt, function remindAbandonedCart() {
    sendReminderEmail(cart);
  });
}

run({
  description: 'node-schedule: a reminder job scheduled per cart update, never cancelled (scheduledJobs keeps them all)',
  markers: ['scheduledJobs', 'Job', 'Invocation', 'remindAbandonedCart'],
  step() {
    for (let i = 0; i < 60; i++) {
      updateCart(i % 40);
    }
  },
});
