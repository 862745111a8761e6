// Repeated rows (sequence steps, campaign drops): add, remove and reorder them in place, and
// show each step only the fields its channel and sender use. The rows post as parallel lists
// in page order, so moving an element is all a reorder needs. Without JavaScript the same
// buttons submit the form and the server re-renders it.
(() => {
  const MESSAGE_CHANNELS = ["email", "sms"];

  function renumber(container) {
    const prefix = container.dataset.rows;
    container.querySelectorAll(":scope > [data-row]").forEach((row, index) => {
      const number = row.querySelector("[data-number]");
      if (number) number.textContent = String(index + 1);
      row.querySelectorAll("[id]").forEach((element) => {
        element.id = element.id.replace(new RegExp(`^${prefix}-[^-]+-`), `${prefix}-${index}-`);
      });
      row.querySelectorAll("label[for]").forEach((label) => {
        label.htmlFor = label.htmlFor.replace(new RegExp(`^${prefix}-[^-]+-`), `${prefix}-${index}-`);
      });
      row.querySelectorAll("button[data-op]").forEach((button) => {
        button.value = `${button.dataset.op}-${index}`;
      });
    });
  }

  function showFields(row) {
    const channel = row.querySelector("[data-channel]");
    const sender = row.querySelector("[data-sender]");
    if (channel) {
      const isMessage = MESSAGE_CHANNELS.includes(channel.value);
      row.querySelectorAll("[data-for=message]").forEach((el) => { el.hidden = !isMessage; });
      row.querySelectorAll("[data-for=task]").forEach((el) => { el.hidden = isMessage; });
      // Only templates of the step's kind can be chosen.
      row.querySelectorAll("option[data-kind]").forEach((option) => {
        option.disabled = option.dataset.kind !== channel.value;
        if (option.disabled && option.selected) option.selected = false;
      });
    }
    if (sender) {
      row.querySelectorAll("[data-for=user]").forEach((el) => { el.hidden = sender.value !== "user"; });
    }
  }

  document.querySelectorAll("[data-rows]").forEach((container) => {
    const form = container.closest("form");
    const template = document.getElementById(`${container.dataset.rows}-row-template`);
    if (!form || !template) return;
    container.querySelectorAll(":scope > [data-row]").forEach(showFields);

    form.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-op]");
      if (!button || !form.contains(button)) return;
      const op = button.dataset.op;
      const row = button.closest("[data-row]");
      if (op === "add") {
        const fresh = template.content.firstElementChild.cloneNode(true);
        container.appendChild(fresh);
        showFields(fresh);
        renumber(container);
        const first = fresh.querySelector("select, input, textarea");
        if (first) first.focus();
      } else if (row && op === "remove") {
        row.remove();
        renumber(container);
      } else if (row && op === "up" && row.previousElementSibling) {
        container.insertBefore(row, row.previousElementSibling);
        renumber(container);
        button.focus();
      } else if (row && op === "down" && row.nextElementSibling) {
        container.insertBefore(row.nextElementSibling, row);
        renumber(container);
        button.focus();
      } else {
        return;
      }
      event.preventDefault();
    });

    container.addEventListener("change", (event) => {
      const row = event.target.closest("[data-row]");
      if (row && event.target.matches("[data-channel], [data-sender]")) showFields(row);
    });
  });
})();
