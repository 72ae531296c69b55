// One referral per form. A form marked data-once carries a client token
// (client_token); submitting it twice files once. Pages are never cached,
// so going Back to the form fetches it afresh with a new token: the token
// of the form last submitted in this tab is kept and put back when the
// form is reached by Back or Forward. A form opened any other way keeps its
// new token.
(function () {
  'use strict';
  var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
  var returned = nav && nav.type === 'back_forward';
  document.querySelectorAll('form[data-once]').forEach(function (form) {
    var input = form.querySelector('input[name="client_token"]');
    if (!input) return;
    var key = 'handoff.client_token:' + form.getAttribute('action');
    try {
      var kept = sessionStorage.getItem(key);
      if (returned && kept) input.value = kept;
      form.addEventListener('submit', function () {
        sessionStorage.setItem(key, input.value);
      });
    } catch (e) {
      // No storage in this browser: the server still files each token once.
    }
  });
})();
