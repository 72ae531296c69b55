// The signature pad of the release of information: pointer events draw on
// the canvas; on submit the drawing goes into the hidden image_base64 field
// as a PNG. A chosen PDF goes into pdf_base64 instead.
(function () {
  'use strict';
  var canvas = document.getElementById('sig');
  if (!canvas) return;
  var form = canvas.closest('form');
  var ctx = canvas.getContext('2d');
  var drawing = false;
  var drawn = false;
  ctx.lineWidth = 3;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = '#111';
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return {
      x: (e.clientX - r.left) * (canvas.width / r.width),
      y: (e.clientY - r.top) * (canvas.height / r.height)
    };
  }
  canvas.addEventListener('pointerdown', function (e) {
    e.preventDefault();
    drawing = true;
    if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!drawing) return;
    e.preventDefault();
    var p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    drawn = true;
  });
  function stop() { drawing = false; }
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
  canvas.addEventListener('pointerleave', stop);
  var clear = document.getElementById('sig-clear');
  if (clear) {
    clear.addEventListener('click', function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    });
  }
  var pdf = document.getElementById('pdf');
  if (pdf) {
    pdf.addEventListener('change', function () {
      var file = pdf.files && pdf.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        document.getElementById('pdf_base64').value = String(reader.result);
      };
      reader.readAsDataURL(file);
    });
  }
  form.addEventListener('submit', function () {
    if (drawn) document.getElementById('image_base64').value = canvas.toDataURL('image/png');
  });
})();
