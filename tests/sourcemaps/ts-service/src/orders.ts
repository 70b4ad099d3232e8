// The order service: handleRequest is called once per incoming order.
import { OrderValidator, rulesFor } from './rules';
import { PriceCache } from './cache';
import { registry } from './registry';

export interface Order {
  id: string;
  customer: string;
  qty: number;
  total: number;
  note: string;
}

// Every validator ever made (LEAK 1: grows by one OrderValidator per request).
const validators: OrderValidator[] = [];

// Decoy: bounded, fills during warmup, then turns over.
const prices = new PriceCache(100);

function audit(order: Order, ok: boolean): string {
  return `${order.id} ${order.customer} ${ok ? 'accepted' : 'rejected'}`;
}

export function handleRequest(request: number): boolean {
  const customer = `customer-${request % 1000}`;
  const price = prices.get(`sku-${request % 150}`, () => (request % 150) * 3 + 1);
  const order: Order = {
    id: `order-${request}`,
    customer,
    qty: (request * 7) % 13,
    total: price * ((request % 5) + 1),
    note: `order note ${request}: ` + 'x'.repeat(64),
  };
  const validator = new OrderValidator(rulesFor(customer, request), customer);
  validators.push(validator);
  const ok = validator.check({ qty: order.qty, total: order.total });
  // LEAK 2: one closure per request, kept in the registry forever; it holds the order.
  registry.set(order.id, () => audit(order, ok));
  return ok;
}

export function stats(): { validators: number; cached: number; pending: number } {
  return { validators: validators.length, cached: prices.size, pending: registry.size };
}
