// Fills time-zone pickers with the browser's own zone. Without JavaScript
// the pickers work as plain lists.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  var selects = document.querySelectorAll("select[data-detect-timezone]");
  for (var i = 0; i < selects.length; i++) {
    var s = selects[i];
    var known = false;
    for (var j = 0; j < s.options.length; j++) { if (s.options[j].value === zone) { known = true; } }
    if (!known) { var o = document.createElement("option"); o.value = zone; o.textContent = zone; s.insertBefore(o, s.options[1] || null); }
    if (!s.value) { s.value = zone; }
  }
  // On the slot picker, show times in the browser's zone the first time.
  var form = document.querySelector("form[data-auto-tz]");
  if (form && !/[?&]tz=/.test(location.search)) {
    var sel = form.querySelector("select[name=tz]");
    if (sel && sel.value !== zone) { sel.value = zone; form.submit(); }
  }
})();
