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
