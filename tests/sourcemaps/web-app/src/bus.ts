// The app's shared event bus: one eventemitter3 EventEmitter for the whole page.
import EventEmitter from 'eventemitter3';

export const bus = new EventEmitter();
