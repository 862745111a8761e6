// The segment builder: rows of field / operator / value in AND ("all") or OR ("any") groups,
// which nest. It writes the rules JSON into the form's textarea on every change; the server
// checks and compiles that JSON, so the textarea alone (without JavaScript) is enough too.
(() => {
  const textarea = document.getElementById("id_rules");
  const root = document.getElementById("rule-builder");
  const optionsNode = document.getElementById("builder-options");
  if (!textarea || !root || !optionsNode) return;
  const options = JSON.parse(optionsNode.textContent);
  const noValue = new Set(options.no_value);
  const listOps = new Set(options.list_ops);
  const idFields = new Set(["pool", "owner"]);

  const element = (tag, attributes = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  };
  const select = (values, current, label) => {
    const node = element("select", {"aria-label": label});
    for (const value of values) {
      const option = element("option", {value, text: value.replaceAll("_", " ")});
      if (value === current) option.selected = true;
      node.append(option);
    }
    return node;
  };
  const shown = (value) => (Array.isArray(value) ? value.join(", ") : value ?? "");
  const parsed = (field, op, text) => {
    const one = (item) => {
      const trimmed = item.trim();
      return idFields.has(field) && /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
    };
    if (listOps.has(op)) return text.split(",").map(one).filter((item) => item !== "");
    return one(text);
  };

  const ruleRow = (rule) => {
    const fields = Object.keys(options.fields);
    const row = element("div", {class: "inline-fields", "data-rule": ""});
    const field = select(fields, rule.field in options.fields ? rule.field : fields[0], "Field");
    const ops = () => options.fields[field.value];
    let op = select(ops(), rule.op, "Operator");
    const value = element("input", {"aria-label": "Value", value: shown(rule.value)});
    const pool = element("input", {"aria-label": "Pool id (optional)", placeholder: "pool id", value: rule.pool ?? "", size: "6"});
    const sync = () => {
      value.hidden = noValue.has(op.value);
      pool.hidden = field.value !== "stage";
    };
    field.addEventListener("change", () => {
      const fresh = select(ops(), op.value, "Operator");
      op.replaceWith(fresh);
      op = fresh;
      op.addEventListener("change", () => { sync(); write(); });
      sync();
      write();
    });
    op.addEventListener("change", () => { sync(); write(); });
    value.addEventListener("input", write);
    pool.addEventListener("input", write);
    const remove = element("button", {type: "button", class: "link", text: "Remove"});
    remove.addEventListener("click", () => { row.remove(); write(); });
    row.append(field, op, value, pool, remove);
    row.read = () => {
      const out = {field: field.value, op: op.value};
      if (!noValue.has(op.value)) out.value = parsed(field.value, op.value, value.value);
      if (field.value === "stage" && pool.value.trim()) out.pool = Number(pool.value.trim()) || pool.value.trim();
      return out;
    };
    sync();
    return row;
  };

  const groupBox = (group) => {
    const joiner = "any" in group ? "any" : "all";
    const box = element("fieldset", {class: "card", "data-group": "", "aria-label": "Group of rules"});
    const mode = select(["all", "any"], joiner, "Match");
    mode.addEventListener("change", write);
    const legend = element("div", {class: "inline-fields"}, ["Match", mode, "of these:"]);
    const items = element("div");
    for (const item of group[joiner] || []) {
      items.append("field" in item ? ruleRow(item) : groupBox(item));
    }
    const addRule = element("button", {type: "button", class: "secondary", text: "Add rule"});
    addRule.addEventListener("click", () => { items.append(ruleRow({field: "city", op: "eq", value: ""})); write(); });
    const addGroup = element("button", {type: "button", class: "secondary", text: "Add group"});
    addGroup.addEventListener("click", () => {
      items.append(groupBox({any: [{field: "city", op: "eq", value: ""}]}));
      write();
    });
    box.append(legend, items, addRule, " ", addGroup);
    if (root.childElementCount) {
      const remove = element("button", {type: "button", class: "link", text: "Remove group"});
      remove.addEventListener("click", () => { box.remove(); write(); });
      box.append(" ", remove);
    }
    box.read = () => ({
      [mode.value]: [...items.children].map((child) => child.read()),
    });
    return box;
  };

  function write() {
    const top = root.firstElementChild;
    if (top) textarea.value = JSON.stringify(top.read(), null, 2);
  }

  const build = () => {
    let rules;
    try {
      rules = JSON.parse(textarea.value);
    } catch (error) {
      return false;
    }
    if (!rules || typeof rules !== "object" || Array.isArray(rules)) return false;
    root.replaceChildren();
    root.append(groupBox(rules));
    root.hidden = false;
    return true;
  };
  build();
  // Editing the JSON by hand rebuilds the rows once it parses again.
  textarea.addEventListener("change", build);
})();
