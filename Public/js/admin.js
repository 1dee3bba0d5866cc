// Copy buttons for the admin's read-only fields. Without this script the fields are still
// there to select and copy by hand; with it, each gets a button.
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(field.value);
    const status = button.closest("section")?.querySelector("[data-copied]");
    if (status) status.textContent = status.dataset.copied;
  });
});
