// mongoose: a schema built and a model compiled per request, one per tenant collection
// (`db.model('Order_' + tenantId, new Schema(...), 'orders_' + tenantId)`), as in
// Automattic/mongoose#2874 "How to release Mongoose model from memory? (memory leak)": the
// connection's model registry (`connection.models`, plus its `collections`) keeps every
// compiled model, its schema and its collection forever. No database is needed (#7682 also
// reproduces without connecting): the models are only compiled and a document instantiated.
'use strict';
const mongoose = require('mongoose');
const { run } = require('./harness');

// One connection for the service, not opened here (commands would only be buffered).
const db = mongoose.createConnection();

function orderModelFor(tenantId) {
  const orderSchema = new mongoose.Schema(
    {
      tenant: { type: String, default: tenantId },
      sku: { type: String, required: true },
      qty: { type: Number, min: 1 },
      price: Number,
      customer: { name: String, email: String },
      lines: [{ sku: String, qty: Number, price: Number }],
      meta: mongoose.Schema.Types.Mixed,
      createdAt: { type: Date, default: Date.now },
    },
    // Collections and indexes are made by a migration job, not at model compile time (and no
    // database is opened here, so compile-time createCollection() would wait in the queue).
    { timestamps: true, autoCreate: false, autoIndex: false },
  );
  return db.model('Order_' + tenantId, orderSchema, 'orders_' + tenantId);
}

let n = 0;
function handleOrderRequest() {
  const tenantId = 'tenant' + n++;
  const Order = orderModelFor(tenantId);
  const order = new Order({
    sku: 'SKU-' + n,
    qty: 2,
    price: 9.5,
    customer: { name: 'customer ' + n, email: 'c' + n + '@example.com' },
    lines: [{ sku: 'SKU-' + n, qty: 2, price: 9.5 }],
  });
  return order.toJSON().sku;
}

run({
  description: 'mongoose: a model compiled per request (per tenant) stays in the connection model registry',
  markers: ['NativeConnection', 'models'],
  step() {
    for (let i = 0; i < 6; i++) {
      handleOrderRequest();
    }
  },
});
