// Passkeys on the profile: django-otp-webauthn's script (otp_webauthn_register.js) runs
// the ceremony; once the new passkey is saved, this names it with the name typed above
// the button (a normal form post to accounts:passkey_rename, which reloads the list).
"use strict";
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const form = document.getElementById("passkey-name-form");
  const typed = document.getElementById("new-passkey-name");
  const id = event.detail && Number.parseInt(event.detail.id, 10);
  if (!form || !Number.isInteger(id)) return;
  form.action = form.dataset.actionTemplate.replace("/0/", `/${id}/`);
  form.elements.name.value = (typed && typed.value.trim()) || "";
  if (!form.elements.name.value) {
    // No name typed: keep the default one and just show the list again.
    window.location.reload();
    return;
  }
  form.submit();
});
