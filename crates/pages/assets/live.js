// Live lists: listens to the caller's event stream and, when an event named
// in the #live element's data-live arrives, fetches this page again and
// replaces #live with the fresh copy. Events carry ids only.
(function () {
  'use strict';
  var region = document.getElementById('live');
  if (!region || !('EventSource' in window)) return;
  var kinds = (region.getAttribute('data-live') || '').split(/\s+/).filter(Boolean);
  var busy = false;
  var again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.pathname + window.location.search, {
      credentials: 'same-origin',
      headers: { Accept: 'text/html' }
    })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('live');
        var current = document.getElementById('live');
        if (fresh && current) {
          current.innerHTML = fresh.innerHTML;
          current.setAttribute('data-updated', String(Date.now()));
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  var source = new EventSource('/api/v1/events');
  kinds.forEach(function (k) { source.addEventListener(k, refresh); });
  source.addEventListener('open', function () {
    document.documentElement.setAttribute('data-live', 'connected');
  });
})();
