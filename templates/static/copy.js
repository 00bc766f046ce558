// Copy buttons: a button with data-copy="ID" copies the value of the field
// with that id and says so in the element ID-status. Without JavaScript
// the button stays hidden and the read-only field is selected and copied
// by hand.
(function () {
  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i++) { setUp(buttons[i]); }

  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var status = document.getElementById(field.id + "-status");
    function say(text) { if (status) { status.textContent = text; } }
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      say("");
      copy(field).then(function () {
        say("Link copied. You can paste it wherever you choose.");
      }, function () {
        field.focus();
        field.select();
        say("The link is selected: press Ctrl+C (or Command+C) to copy it.");
      });
    });
    button.hidden = false;
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).catch(function () { return legacyCopy(field); });
    }
    return legacyCopy(field);
  }

  function legacyCopy(field) {
    return new Promise(function (resolve, reject) {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }
})();
