// Optional: the editor works without it. Ctrl+Enter (or Cmd+Enter) runs the query.
document.addEventListener("keydown", function (event) {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && event.target.tagName === "TEXTAREA") {
    event.preventDefault();
    event.target.form.submit();
  }
});
