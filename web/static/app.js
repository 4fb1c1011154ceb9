// rectify's only script: a form being submitted shows that it is working and
// cannot be sent twice. Everything works without it.
document.addEventListener('submit', function (e) {
  var form = e.target;
  // A form that cannot be undone (直接办结) asks first.
  if (form.dataset.confirm && !form.dataset.busy && !window.confirm(form.dataset.confirm)) {
    e.preventDefault();
    return;
  }
  if (form.method.toLowerCase() !== 'post' || form.dataset.busy) {
    if (form.dataset.busy) e.preventDefault();
    return;
  }
  form.dataset.busy = '1';
  form.setAttribute('aria-busy', 'true');
  var clicked = e.submitter;
  if (clicked && clicked.name) {
    // A disabled button is not submitted: carry its value in a hidden field.
    var keep = document.createElement('input');
    keep.type = 'hidden';
    keep.name = clicked.name;
    keep.value = clicked.value;
    form.appendChild(keep);
  }
  var working = document.body.dataset.working || '…';
  form.querySelectorAll('button').forEach(function (b) {
    b.disabled = true;
    if (b === clicked || (!clicked && b.type !== 'button')) {
      b.dataset.label = b.textContent;
      b.textContent = working;
      b.classList.add('working');
    }
  });
});
// Coming back with the Back button must not leave a form stuck as busy.
window.addEventListener('pageshow', function () {
  document.querySelectorAll('form[data-busy]').forEach(function (f) {
    delete f.dataset.busy;
    f.removeAttribute('aria-busy');
    f.querySelectorAll('button').forEach(function (b) {
      b.disabled = false;
      if (b.dataset.label) b.textContent = b.dataset.label;
      b.classList.remove('working');
    });
  });
});

// The department picker: an input with list="departments" offers the
// departments whose name, code or pinyin initials hold what was typed, and a
// choice fills in the name (the server stores its code). Without this script
// the browser's own list does the same by name and code.
(function () {
  var list = document.getElementById('departments');
  if (!list) return;
  var depts = Array.prototype.map.call(list.options, function (o) {
    return { name: o.value, code: o.label || o.textContent, initials: o.dataset.initials || '' };
  });
  var n = 0;
  document.querySelectorAll('input[list="departments"]').forEach(function (input) {
    input.removeAttribute('list');
    var wrap = document.createElement('span');
    wrap.className = 'picker-wrap';
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var ul = document.createElement('ul');
    ul.className = 'picker';
    ul.id = 'picker-' + (++n);
    ul.setAttribute('role', 'listbox');
    ul.hidden = true;
    wrap.appendChild(ul);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-controls', ul.id);
    input.setAttribute('aria-expanded', 'false');
    var active = -1;
    function close() { ul.hidden = true; active = -1; input.setAttribute('aria-expanded', 'false'); }
    function pick(d) { input.value = d.name; close(); }
    function mark() {
      Array.prototype.forEach.call(ul.children, function (li, i) { li.setAttribute('aria-selected', i === active ? 'true' : 'false'); });
    }
    function show() {
      var q = input.value.trim(), up = q.toUpperCase();
      var found = depts.filter(function (d) {
        return !q || d.name.indexOf(q) >= 0 || d.code.toUpperCase().indexOf(up) >= 0 || d.initials.indexOf(up) >= 0;
      }).slice(0, 12);
      ul.textContent = '';
      found.forEach(function (d) {
        var li = document.createElement('li');
        li.setAttribute('role', 'option');
        li.textContent = d.name + ' ';
        var code = document.createElement('small');
        code.textContent = d.code;
        li.appendChild(code);
        li.addEventListener('mousedown', function (e) { e.preventDefault(); pick(d); });
        ul.appendChild(li);
      });
      active = -1;
      ul.hidden = found.length === 0 || (found.length === 1 && found[0].name === q);
      input.setAttribute('aria-expanded', ul.hidden ? 'false' : 'true');
      ul.found = found;
    }
    input.addEventListener('input', show);
    input.addEventListener('focus', show);
    input.addEventListener('blur', close);
    input.addEventListener('keydown', function (e) {
      if (ul.hidden || !ul.found) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        var k = ul.found.length;
        active = (active + (e.key === 'ArrowDown' ? 1 : k - 1)) % k;
        mark();
      } else if (e.key === 'Enter' && active >= 0) {
        e.preventDefault();
        pick(ul.found[active]);
      } else if (e.key === 'Escape') {
        close();
      }
    });
  });
})();
