'use strict';
// The same dialog without the leak: closing it removes its resize listener. Each opening also
// caches its options in a bounded cache (full after a few openings: its size stays the same),
// and the "Advanced" tab builds a large index once, the first time it is shown.

const CACHE_SIZE = 4;
const optionCache = new Map();
let openings = 0;
let advancedIndex = null;

function cachedOptions(key) {
  let options = optionCache.get(key);
  if (!options) {
    options = Array.from({ length: 40 }, (_, i) => ({ id: i, label: `Option ${i} of ${key}` }));
    optionCache.set(key, options);
    // The oldest entry goes when the cache is full.
    if (optionCache.size > CACHE_SIZE) optionCache.delete(optionCache.keys().next().value);
  }
  return options;
}

function buildAdvancedIndex() {
  advancedIndex ??= new Map(
    Array.from({ length: 2000 }, (_, i) => [`setting.${i}`, { id: i, doc: `Help text ${i}` }]),
  );
  return advancedIndex;
}

function openSettings() {
  openings += 1;
  const options = cachedOptions(`profile-${openings}`);
  const controller = new AbortController();
  const dialog = document.createElement('div');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-label', 'Settings');
  const list = document.createElement('ul');
  for (const option of options) {
    const item = document.createElement('li');
    item.textContent = option.label;
    list.append(item);
  }
  const advanced = document.createElement('button');
  advanced.textContent = 'Advanced';
  advanced.addEventListener('click', () => {
    list.dataset.settings = String(buildAdvancedIndex().size);
  });
  const close = document.createElement('button');
  close.textContent = 'Close';
  close.addEventListener('click', () => {
    controller.abort();
    dialog.remove();
  });
  dialog.append(list, advanced, close);

  window.addEventListener(
    'resize',
    function layoutSettings() {
      dialog.style.maxHeight = `${window.innerHeight - 40}px`;
    },
    { signal: controller.signal },
  );
  document.body.append(dialog);
}

document.getElementById('open').addEventListener('click', openSettings);
