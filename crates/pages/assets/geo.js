// "Use my location" on the quick referral: fills the hidden lat/lon fields
// from the phone's position. The address field stays as typed.
(function () {
  'use strict';
  var button = document.getElementById('geo');
  if (!button || !('geolocation' in navigator)) return;
  var status = document.getElementById('geo-status');
  button.hidden = false;
  button.addEventListener('click', function () {
    status.textContent = 'Finding your location…';
    navigator.geolocation.getCurrentPosition(
      function (p) {
        document.getElementById('lat').value = p.coords.latitude.toFixed(6);
        document.getElementById('lon').value = p.coords.longitude.toFixed(6);
        status.textContent = 'Location added (within ' + Math.round(p.coords.accuracy) + ' m).';
      },
      function () {
        status.textContent = 'Location not available; type the address.';
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
