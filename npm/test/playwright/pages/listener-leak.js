'use strict';
// A settings dialog whose DOM is freed on close, but each opening adds a window resize
// listener that is never removed: only the listener and the state it captures leak.

function openSettings() {
  const state = { openedAt: Date.now(), fields: ['theme', 'language', 'timezone'] };
  const dialog = document.createElement('div');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-label', 'Settings');
  const close = document.createElement('button');
  close.textContent = 'Close';
  close.addEventListener('click', () => dialog.remove());
  dialog.append(close);
  window.addEventListener('resize', function onResize() {
    state.width = window.innerWidth;
  });
  document.body.append(dialog);
}

document.getElementById('open').addEventListener('click', openSettings);
