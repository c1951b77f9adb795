// Knowledge base helpers (no inline script, so the strict CSP holds):
// - the new-ticket page suggests articles while the client types the subject;
// - the staff ticket page inserts canned replies and article links into the reply box.
"use strict";
(function () {
  const debounce = (fn, ms) => {
    let timer;
    return (...args) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => fn(...args), ms);
    };
  };

  // Suggestions: the server renders the fragment (escaped by Django's templates).
  const box = document.querySelector("[data-kb-suggestions]");
  const subject = document.querySelector("input[name=subject]");
  if (box && subject) {
    let last = "";
    const load = debounce(async () => {
      const q = subject.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 3) {
        box.innerHTML = "";
        return;
      }
      const url = `${box.dataset.url}?language=${encodeURIComponent(box.dataset.language)}&q=${encodeURIComponent(q)}`;
      try {
        const response = await fetch(url, { headers: { Accept: "text/html" } });
        if (response.ok && subject.value.trim() === q) box.innerHTML = await response.text();
      } catch (error) {
        // No suggestions when the network fails; the form works without them.
      }
    }, 250);
    subject.addEventListener("input", load);
  }

  // Canned replies and article links on the staff ticket page.
  const replyForm = document.querySelector("form[data-testid=reply-form]");
  const replyBox = replyForm && replyForm.querySelector("textarea[name=body]");
  const insertText = (text) => {
    if (!replyBox) return;
    const start = replyBox.selectionStart ?? replyBox.value.length;
    const end = replyBox.selectionEnd ?? replyBox.value.length;
    replyBox.value = replyBox.value.slice(0, start) + text + replyBox.value.slice(end);
    replyBox.focus();
    const caret = start + text.length;
    replyBox.setSelectionRange(caret, caret);
  };
  document.querySelectorAll("[data-kb-insert]").forEach((button) => {
    button.addEventListener("click", () => {
      insertText(button.dataset.body);
      const status = replyForm && replyForm.querySelector("select[name=status]");
      if (status && button.dataset.status) {
        if ([...status.options].some((o) => o.value === button.dataset.status)) {
          status.value = button.dataset.status;
        }
      }
    });
  });
  const filter = document.querySelector("[data-kb-macro-filter]");
  if (filter) {
    const visible = () =>
      [...document.querySelectorAll("[data-kb-macro]")].filter((item) => !item.hidden);
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      document.querySelectorAll("[data-kb-macro]").forEach((item) => {
        item.hidden = q !== "" && !item.dataset.name.includes(q);
      });
    });
    filter.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const first = visible()[0];
      if (first) first.querySelector("[data-kb-insert]").click();
    });
  }
  const lookup = document.querySelector("[data-kb-lookup]");
  const results = document.querySelector("[data-kb-lookup-results]");
  if (lookup && results) {
    const search = debounce(async () => {
      const q = lookup.value.trim();
      results.replaceChildren();
      if (q.length < 2) return;
      try {
        const response = await fetch(`${lookup.dataset.kbLookup}?q=${encodeURIComponent(q)}`);
        if (!response.ok) return;
        const data = await response.json();
        data.results.forEach((article) => {
          const item = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-sm btn-link p-0 text-start";
          button.dataset.testid = "kb-lookup-result";
          button.textContent = `${article.title} (${article.language})`;
          button.addEventListener("click", () => insertText(`${article.title}: ${article.url}`));
          item.append(button);
          results.append(item);
        });
      } catch (error) {
        // Nothing to insert when the network fails.
      }
    }, 200);
    lookup.addEventListener("input", search);
  }
})();
