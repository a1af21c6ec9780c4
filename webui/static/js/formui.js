// Bút phê templates: a click puts the template's text into its note (after what is there).
for (const group of document.querySelectorAll("[data-templates-for]")) {
  const note = document.getElementById(group.dataset.templatesFor);
  group.addEventListener("click", (event) => {
    const text = event.target.dataset && event.target.dataset.template;
    if (!text || !note) return;
    note.value = note.value.trim() ? `${note.value.trim()} ${text}` : text;
    note.focus();
  });
}

// Nơi nhận from the address book: the chosen entry fills its row's name, unit or organ code, delivery.
document.addEventListener("change", (event) => {
  const pick = event.target;
  if (!pick.matches || !pick.matches("select[data-address-book]")) return;
  const row = pick.closest(".row");
  const chosen = pick.selectedOptions[0];
  if (!row || !chosen || !chosen.value) return;
  const set = (suffix, value) => {
    const input = row.querySelector(`[name$="-${suffix}"]`);
    if (input && input.type === "radio") {
      for (const radio of row.querySelectorAll(`[name$="-${suffix}"]`)) radio.checked = radio.value === value;
    } else if (input) {
      input.value = value;
    }
  };
  set("name", chosen.dataset.name);
  set("unit", chosen.dataset.unit);
  set("organ_id", chosen.dataset.organ);
  set("delivery", chosen.dataset.delivery);
});
