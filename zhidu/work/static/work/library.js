// The library's copy button: copy the script (clipboard API, else select the text and copy), then count the use
// with a POST; without JavaScript the form posts and the text stays selectable.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-copy")) return;
  event.preventDefault();
  var source = document.querySelector(form.getAttribute("data-copy"));
  if (!source) return;
  var text = source.value !== undefined ? source.value : source.textContent;
  var fallback = function () {
    source.focus();
    source.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected for a manual copy */ }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).catch(fallback);
  } else {
    fallback();
  }
  fetch(form.action, {method: "POST", body: new FormData(form), headers: {"Accept": "application/json"}, credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) return;
      var uses = document.querySelector("[data-testid=library-uses]");
      if (uses) uses.textContent = data.use_count;
      var note = document.querySelector("[data-copied]");
      if (note) note.hidden = false;
    });
});
