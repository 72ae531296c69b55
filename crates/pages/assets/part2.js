// The release of information's 42 CFR Part 2 elements: shown while
// substance use (sud) is ticked for any recipient, hidden otherwise.
// Without this script they are always shown.
(function () {
  'use strict';
  var part2 = document.getElementById('part2');
  if (!part2) return;
  var form = part2.closest('form');
  function update() {
    part2.hidden = !form.querySelector('input[type=checkbox][value=sud]:checked');
  }
  form.addEventListener('change', update);
  update();
})();
