// Undo support for the order form. Every click saves a draft and an undo closure; the
// closures are kept forever (LEAK 2, the app's own code).

export interface Draft {
  id: number;
  lines: string[];
  comment: string;
}

const undoStack: Array<() => Draft> = [];

export function saveDraft(draft: Draft): void {
  undoStack.push(() => restoreDraft(draft));
}

function restoreDraft(draft: Draft): Draft {
  return { id: draft.id, lines: draft.lines.slice(), comment: draft.comment };
}

export function undoDepth(): number {
  return undoStack.length;
}
