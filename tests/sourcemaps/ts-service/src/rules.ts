// Validation rules of one order. The service makes an OrderValidator per request and
// (the leak) keeps every one of them in a module-level list.

export interface Rule {
  field: string;
  max: number;
  message: string;
}

export class OrderValidator {
  readonly issues: string[] = [];

  constructor(public rules: Rule[], public customer: string) {}

  check(order: Record<string, number>): boolean {
    for (const rule of this.rules) {
      const value = order[rule.field] ?? 0;
      if (value > rule.max) this.issues.push(rule.message);
    }
    return this.issues.length === 0;
  }
}

export function rulesFor(customer: string, request: number): Rule[] {
  return [
    { field: 'qty', max: 10 + (request % 7), message: `too many items for ${customer}` },
    { field: 'total', max: 500 + request, message: `total over limit for ${customer} (#${request})` },
  ];
}
