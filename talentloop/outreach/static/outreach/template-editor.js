// Template editor: the token menu inserts at the cursor of the last field you were in, and the
// preview pane follows what you type (400 ms after the last change). Without JavaScript the
// Preview button renders the same preview on the server.
(() => {
  const fields = Array.from(document.querySelectorAll("[data-tokens]"));
  let target = fields.find((field) => field.name === "body") || fields[0] || null;
  for (const field of fields) field.addEventListener("focus", () => { target = field; });

  for (const button of document.querySelectorAll("[data-insert]")) {
    button.addEventListener("click", () => {
      if (!target || target.disabled) return;
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? start;
      target.setRangeText(button.dataset.insert, start, end, "end");
      target.focus();
      target.dispatchEvent(new Event("input", {bubbles: true}));
    });
  }

  const form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  const frame = document.getElementById("preview-html");
  const subject = document.getElementById("preview-subject");
  const text = document.getElementById("preview-text");
  const problem = document.getElementById("preview-error");
  let timer = null;
  let latest = 0;

  async function refresh() {
    const ticket = ++latest;
    let response;
    try {
      response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        headers: {"Accept": "application/json"},
        credentials: "same-origin",
      });
    } catch (error) {
      return; // offline for a moment: the Preview button still works
    }
    // An older, slower answer must not replace a newer one.
    if (ticket !== latest || !response.headers.get("content-type")?.includes("json")) return;
    const body = await response.json();
    if (body.error) {
      problem.textContent = body.error.message;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    subject.textContent = body.subject;
    text.textContent = body.text;
    frame.srcdoc = body.html;
    frame.hidden = !body.html;
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
