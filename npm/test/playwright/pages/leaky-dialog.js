'use strict';
// A settings dialog that leaks: every opening adds a window resize listener that is never
// removed, and its closure keeps the closed dialog's DOM and its option rows alive.

function openSettings() {
  const dialog = document.createElement('div');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-label', 'Settings');
  const options = [];
  const list = document.createElement('ul');
  for (let i = 0; i < 40; i++) {
    options.push({ id: i, label: `Option ${i}`, enabled: i % 2 === 0 });
    const item = document.createElement('li');
    item.textContent = `Option ${i}`;
    list.append(item);
  }
  const close = document.createElement('button');
  close.textContent = 'Close';
  close.addEventListener('click', () => dialog.remove());
  dialog.append(list, close);

  window.addEventListener('resize', function layoutSettings() {
    dialog.style.maxHeight = `${window.innerHeight - 40}px`;
    dialog.dataset.options = String(options.length);
  });
  document.body.append(dialog);
}

document.getElementById('open').addEventListener('click', openSettings);
