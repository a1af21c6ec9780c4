// Đặt vị trí số và ngày: drag a box over the picture of page 1 (one pixel per PDF point), or
// click two opposite corners; the coordinates go into the form in PDF points (origin at the
// bottom left), and the box is drawn over the picture.
const area = document.querySelector("[data-placement]");
if (area) {
  const image = area.querySelector("img");
  const form = document.querySelector("form.schema-form");
  const corners = ["x1", "y1", "x2", "y2"];
  let first = null; // the first corner of a box being clicked
  let pressed = null; // where the pointer went down, for a drag

  const active = () => form.querySelector("input[name=active_box]:checked").value;
  const point = (event) => {
    const rect = image.getBoundingClientRect();
    const scale = image.naturalWidth / rect.width;
    const x = (event.clientX - rect.left) * scale;
    const y = image.naturalHeight - (event.clientY - rect.top) * scale;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  };
  const draw = (box) => {
    const values = corners.map((c) => parseFloat(form.elements[`${box}_${c}`].value));
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
  const place = (a, b) => {
    const box = active();
    const values = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
    corners.forEach((c, i) => { form.elements[`${box}_${c}`].value = values[i]; });
    draw(box);
  };
  const redraw = () => { draw("number"); draw("date"); };

  image.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pressed = point(event);
  });
  image.addEventListener("pointerup", (event) => {
    if (pressed === null) return;
    const here = point(event);
    const dragged = Math.abs(here[0] - pressed[0]) > 4 || Math.abs(here[1] - pressed[1]) > 4;
    if (dragged) {
      place(pressed, here);
      first = null;
    } else if (first === null) {
      first = here;
    } else {
      place(first, here);
      first = null;
    }
    pressed = null;
  });
  form.addEventListener("input", redraw);
  if (image.complete) redraw(); else image.addEventListener("load", redraw);
  window.addEventListener("resize", redraw);
}
