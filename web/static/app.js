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
