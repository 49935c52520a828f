// Move focus to the error summary so screen readers announce it (GOV.UK pattern).
function focusErrorSummary(root) {
  const summary = (root || document).querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
}
document.addEventListener("DOMContentLoaded", () => focusErrorSummary(document));
// A link in the summary focuses its field instead of only scrolling to it.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  if (!link) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (target) {
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  }
});
document.addEventListener("htmx:afterSwap", (event) => focusErrorSummary(event.target));

// ---- New claim form -------------------------------------------------------
function claimForm() {
  return document.getElementById("claim-form");
}

// Claim types reserved to a brand are offered only when every product is of that brand.
function filterClaimTypes() {
  const form = claimForm();
  if (!form) return;
  const select = form.querySelector("select[name='claim_type']");
  if (!select) return;
  const brands = new Set();
  let lines = 0;
  form.querySelectorAll("[data-line]").forEach((line) => {
    const removed = line.querySelector("input[name$='-DELETE']");
    if (removed && removed.checked) return;
    lines += 1;
    const product = line.querySelector(".line-product[data-brand]");
    brands.add(product ? product.dataset.brand : "");
  });
  select.querySelectorAll("option[data-brand]").forEach((option) => {
    const fits = lines > 0 && brands.size === 1 && brands.has(option.dataset.brand);
    option.hidden = !fits;
    option.disabled = !fits;
    if (!fits && option.selected) select.value = "";
  });
}

function renumberLines() {
  const form = claimForm();
  if (!form) return;
  form.querySelectorAll("#lines [data-line] [data-line-number]").forEach((el, i) => {
    el.textContent = String(i + 1);
  });
}

function toggleNewAddress() {
  const form = claimForm();
  if (!form) return;
  const select = form.querySelector("select[name='return_address']");
  const box = document.getElementById("new-address");
  if (!select || !box) return;
  box.hidden = select.value !== "new";
}

document.addEventListener("DOMContentLoaded", () => {
  const form = claimForm();
  if (!form) return;
  const addButton = form.querySelector("[data-add-line]");
  const template = document.getElementById("line-template");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  const lines = document.getElementById("lines");
  if (addButton && template && total) {
    addButton.addEventListener("click", (event) => {
      event.preventDefault();
      const index = parseInt(total.value, 10);
      // The server renders its line limit into data-max; without it, the server's own check still holds.
      const max = parseInt(lines.dataset.max, 10);
      if (!Number.isNaN(max) && index >= max) return;
      const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
      const wrapper = document.createElement("div");
      wrapper.innerHTML = html.trim();
      const line = wrapper.firstElementChild;
      lines.appendChild(line);
      total.value = String(index + 1);
      htmx.process(line);
      renumberLines();
      line.querySelector("input[name$='-ean']").focus();
    });
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "return_address") toggleNewAddress();
    if (event.target.name && event.target.name.endsWith("-DELETE")) {
      const line = event.target.closest("[data-line]");
      line.classList.toggle("line-removed", event.target.checked);
      filterClaimTypes();
    }
  });
  toggleNewAddress();
  filterClaimTypes();
});
document.addEventListener("htmx:afterSettle", filterClaimTypes);

// A line's product block comes back from the server when its EAN or serial changes. A fault type chosen
// while that request was on its way is not in the answer: keep the choice if the new list offers it.
const chosenFaultTypes = new Map();
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.querySelectorAll) return;
  target.querySelectorAll("select[name$='-fault_type']").forEach((select) => {
    if (select.value) chosenFaultTypes.set(select.id, select.value);
  });
});
document.addEventListener("htmx:afterSettle", () => {
  chosenFaultTypes.forEach((value, id) => {
    const select = document.getElementById(id);
    if (select && !select.value && [...select.options].some((option) => option.value === value)) {
      select.value = value;
    }
  });
  chosenFaultTypes.clear();
});
