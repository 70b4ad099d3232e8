// heapdiff's report page: sortable tables (click or Enter on a header) and filter boxes.
// Everything else is plain HTML and SVG written by heapdiff.
'use strict';
(function () {
  function cellValue(row, index, numeric) {
    const cell = row.cells[index];
    if (!cell) return numeric ? 0 : '';
    const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
    return numeric ? Number(raw) : raw.toLowerCase();
  }
  function sortBy(table, th) {
    const index = Array.prototype.indexOf.call(th.parentNode.children, th);
    const numeric = th.classList.contains('num');
    const descending = th.getAttribute('aria-sort') !== 'descending';
    for (const other of th.parentNode.children) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort(function (a, b) {
      const x = cellValue(a, index, numeric);
      const y = cellValue(b, index, numeric);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    for (const row of rows) body.appendChild(row);
  }
  for (const table of document.querySelectorAll('table.sortable')) {
    for (const th of table.tHead.rows[0].cells) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, th); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th); }
      });
    }
  }
  for (const input of document.querySelectorAll('input.filter')) {
    const table = document.getElementById(input.dataset.table);
    input.addEventListener('input', function () {
      const text = input.value.toLowerCase();
      for (const row of table.tBodies[0].rows) {
        row.hidden = text !== '' && !row.textContent.toLowerCase().includes(text);
      }
    });
  }
})();
