// Đặt vị trí số và ngày: two clicks on the picture of page 1 (one pixel per PDF point) give
// the opposite corners of the chosen box; the coordinates go into the form in PDF points
// (origin at the bottom left), and the box is drawn over the picture.
const area = document.querySelector("[data-placement]");
if (area) {
  const image = area.querySelector("img");
  const form = document.querySelector("form.schema-form");
  let first = null;

  const active = () => form.querySelector("input[name=active_box]:checked").value;
  const point = (event) => {
    const rect = image.getBoundingClientRect();
    const scale = image.naturalWidth / rect.width;
    const x = (event.clientX - rect.left) * scale;
    const y = image.naturalHeight - (event.clientY - rect.top) * scale;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  };
  const draw = (box) => {
    const values = ["x1", "y1", "x2", "y2"].map((c) => parseFloat(form.elements[`${box}_${c}`].value));
    const marker = area.querySelector(`[data-box=${box}]`);
    if (values.some(Number.isNaN)) {
      marker.hidden = true;
      return;
    }
    const scale = image.getBoundingClientRect().width / image.naturalWidth;
    marker.style.left = `${values[0] * scale}px`;
    marker.style.top = `${(image.naturalHeight - values[3]) * scale}px`;
    marker.style.width = `${(values[2] - values[0]) * scale}px`;
    marker.style.height = `${(values[3] - values[1]) * scale}px`;
    marker.hidden = false;
  };

  image.addEventListener("click", (event) => {
    const [x, y] = point(event);
    if (first === null) {
      first = [x, y];
      return;
    }
    const box = active();
    const corners = [Math.min(first[0], x), Math.min(first[1], y), Math.max(first[0], x), Math.max(first[1], y)];
    ["x1", "y1", "x2", "y2"].forEach((c, i) => { form.elements[`${box}_${c}`].value = corners[i]; });
    first = null;
    draw(box);
  });
  form.addEventListener("input", () => { draw("number"); draw("date"); });
  const ready = () => { draw("number"); draw("date"); };
  if (image.complete) ready(); else image.addEventListener("load", ready);
  window.addEventListener("resize", ready);
}
