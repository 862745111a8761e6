// Search as you type: a form[data-find] reloads only its results (#find-results) from the same
// page with ?partial=find, 250 ms after the last key. Without JavaScript the form still submits.
(() => {
  const form = document.querySelector("form[data-find]");
  const results = document.getElementById("find-results");
  if (!form || !results) return;
  const input = form.querySelector("input[name=find]");
  let timer = null;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const ticket = ++latest;
      const params = new URLSearchParams({find: input.value, partial: "find"});
      try {
        const response = await fetch(`${window.location.pathname}?${params}`);
        // An older, slower answer must not replace a newer one.
        if (response.ok && ticket === latest) results.innerHTML = await response.text();
      } catch (error) {
        // Offline for a moment: the Find button still works.
      }
    }, 250);
  });
})();
