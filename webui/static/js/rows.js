// Repeatable rows of a form (e.g. the recipients): add a row from the fieldset's template,
// numbered after the last one, or remove one. The server drops rows left blank.
for (const fieldset of document.querySelectorAll("fieldset[data-rows]")) {
  const list = fieldset.querySelector(".row-list");
  const template = fieldset.querySelector("template");
  let next = list.querySelectorAll(".row").length; // never reused, even after a removal
  fieldset.querySelector(".add-row").addEventListener("click", () => {
    const index = String(next++);
    const row = template.content.firstElementChild.cloneNode(true);
    for (const element of row.querySelectorAll("[name], [id], [for], [data-field]")) {
      for (const attribute of ["name", "id", "for", "data-field"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replaceAll("__i__", index));
      }
    }
    list.append(row);
  });
  list.addEventListener("click", (event) => {
    if (event.target.classList.contains("remove-row")) {
      event.target.closest(".row").remove();
    }
  });
}
