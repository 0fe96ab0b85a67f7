/* audit.html: sortable tables, the findings filter, print preparation. No network, no libraries.
   Written without line comments or URLs on purpose: the offline test rejects any double slash in scripts. */
(function () {
  'use strict';
  var slice = Array.prototype.slice;

  function cellKey(cell, numeric) {
    var v = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent.trim();
    if (!numeric) { return v; }
    var n = parseFloat(v);
    return isNaN(n) ? null : n;
  }

  /* Click a header to sort by it; click again to reverse. Empty values always sort last. */
  function makeSortable(table) {
    var heads = slice.call(table.tHead.rows[table.tHead.rows.length - 1].cells);
    heads.forEach(function (th, col) {
      if (th.hasAttribute('data-nosort')) { return; }
      var label = th.innerHTML;
      th.innerHTML = '';
      var button = document.createElement('button');
      button.type = 'button';
      button.innerHTML = label;
      button.title = '点击排序 (sort)';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'num';
        var body = table.tBodies[0];
        var rows = slice.call(body.rows).map(function (r, i) { return [cellKey(r.cells[col], numeric), i, r]; });
        var collator = new Intl.Collator('zh-CN', {numeric: true});
        rows.sort(function (a, b) {
          var x = a[0], y = b[0];
          var xe = x === null || x === '', ye = y === null || y === '';
          if (xe || ye) { return xe === ye ? a[1] - b[1] : (xe ? 1 : -1); }
          var c = numeric ? x - y : collator.compare(x, y);
          return (asc ? c : -c) || a[1] - b[1];
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r[2]); });
        body.appendChild(frag);
      });
    });
  }

  /* The findings filter: every word typed must occur in the row's cells; each select must equal its column. */
  function makeFilter(table) {
    var rows = slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (r) {
      return slice.call(r.cells).map(function (c) { return c.textContent; }).join('\u0001').toLowerCase();
    });
    var index = new Map();
    rows.forEach(function (r, i) { index.set(r, i); });
    var search = document.getElementById('f-search');
    var selects = slice.call(document.querySelectorAll('select[data-col]'));
    var count = document.getElementById('f-count');
    function apply() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r) {
        var text = texts[index.get(r)];
        var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
        for (var s = 0; ok && s < selects.length; s++) {
          var want = selects[s].value;
          if (want && r.cells[+selects[s].getAttribute('data-col')].textContent.trim() !== want) { ok = false; }
        }
        r.hidden = !ok;
        if (ok) { shown++; }
      });
      count.textContent = String(shown);
    }
    search.addEventListener('input', apply);
    selects.forEach(function (s) { s.addEventListener('change', apply); });
    document.getElementById('f-clear').addEventListener('click', function () {
      search.value = '';
      selects.forEach(function (s) { s.value = ''; });
      apply();
    });
    document.querySelectorAll('[data-filter-rule]').forEach(function (a) {
      a.addEventListener('click', function () {
        search.value = a.getAttribute('data-filter-rule');
        apply();
      });
    });
    apply();
  }

  /* A link to a finding or a report opens the folded report section it sits in. */
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) { return; }
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === 'DETAILS') { p.open = true; }
    }
    el.scrollIntoView();
  }

  /* A report's tables: a copy of its format's template, filled with the report's values and highlights. */
  function fillTables(box) {
    if (box.hasAttribute('data-filled')) { return; }
    var tpl = document.getElementById('tpl-' + box.getAttribute('data-fmt'));
    if (!tpl) { return; }
    var values = box.getAttribute('data-v').split(',');
    var marks = JSON.parse(box.getAttribute('data-h') || '{}');
    var missing = (box.getAttribute('data-missing') || '').split(' ');
    var copy = tpl.content.cloneNode(true);
    slice.call(copy.querySelectorAll('[data-table]')).forEach(function (wrap) {
      if (missing.indexOf(wrap.getAttribute('data-table')) !== -1) {
        var table = wrap.querySelector('table');
        var note = document.createElement('div');
        note.className = 'na';
        note.textContent = '（报告中没有这张表，或表中没有读到数值）';
        wrap.replaceChild(note, table);
      }
    });
    slice.call(copy.querySelectorAll('td[data-i]')).forEach(function (td) {
      var i = td.getAttribute('data-i');
      var v = values[+i] || '';
      if (v.charAt(0) === '~') {
        var span = document.createElement('span');
        span.className = 'na';
        span.textContent = v.slice(1) || '无';
        td.appendChild(span);
      } else {
        td.textContent = v;
      }
      var mark = marks[i];
      if (mark) {
        td.className = 'hl ' + mark[0];
        td.title = mark[1];
      }
    });
    box.appendChild(copy);
    box.setAttribute('data-filled', '1');
  }

  function fillWithin(root) {
    slice.call(root.querySelectorAll('.rtables')).forEach(fillTables);
  }

  /* toggle does not bubble: listen in the capture phase to see every report being opened. */
  document.addEventListener('toggle', function (e) {
    if (e.target.open) { fillWithin(e.target); }
  }, true);

  var opened = [];
  window.addEventListener('beforeprint', function () {
    fillWithin(document);
    opened = slice.call(document.querySelectorAll('details:not([open])'));
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  document.querySelectorAll('table.sortable').forEach(makeSortable);
  var findings = document.getElementById('findings-table');
  if (findings) { makeFilter(findings); }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  document.documentElement.setAttribute('data-ready', '1');
}());
