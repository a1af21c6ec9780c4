// The newer version's diagram beside the comparison, each added, renamed or changed element
// coloured as in the table (removed elements are no longer in it).
(() => {
  const box = document.querySelector("[data-diagram]");
  if (!box) return;
  const viewer = new BpmnJS({ container: box });
  const marks = JSON.parse(box.dataset.marks);
  fetch(box.dataset.diagram, { credentials: "same-origin" })
    .then((response) => response.text())
    .then(async (xml) => {
      await viewer.importXML(xml);
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      for (const [id, change] of Object.entries(marks)) {
        if (registry.get(id)) canvas.addMarker(id, `diff-${change}`);
      }
      canvas.zoom("fit-viewport");
      box.dataset.ready = "1";
    });
})();
