// A running evaluation: asks for the run's status every second and shows
// the page again when it has finished (done or refused). Without scripts,
// the page offers a link to look again.
(function () {
  'use strict';
  var el = document.querySelector('[data-run]');
  if (!el) return;
  var url = '/api/v1/evaluations/' + el.getAttribute('data-run');
  var status = document.getElementById('progress');
  function poll() {
    fetch(url, { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        if (run.status !== 'running') {
          window.location.reload();
          return;
        }
        if (status && run.progress) status.textContent = 'In progress: ' + run.progress + '…';
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
