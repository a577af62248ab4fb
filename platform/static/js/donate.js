// The payment page: Stripe.js and its Payment Element collect the card; Safetynet
// never sees it. With a Stripe.js that has no confirmPayment (localstripe's stand-in
// in the tests), the card becomes a token and the server confirms the payment.
(function () {
  "use strict";
  const form = document.getElementById("payment-form");
  if (!form || typeof window.Stripe !== "function") return;
  const data = form.dataset;
  const errorBox = document.getElementById("payment-error");
  const button = document.getElementById("pay-button");
  const stripe = window.Stripe(data.publishableKey);
  const full = typeof stripe.confirmPayment === "function";
  const elements = full ? stripe.elements({ clientSecret: data.clientSecret }) : stripe.elements();
  const element = elements.create(full ? "payment" : "card");
  element.mount("#payment-element");

  function fail(message) {
    errorBox.textContent = message || data.errorGeneric;
    errorBox.hidden = false;
    button.disabled = false;
  }

  async function confirmOnServer() {
    const made = await stripe.createToken(element);
    if (made.error || !made.token) return fail(made.error && made.error.message);
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(data.confirmUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify({ payment_method: made.token.card.id }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return fail(body.error);
    window.location.assign(data.returnUrl);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    try {
      if (full) {
        const result = await stripe.confirmPayment({ elements, confirmParams: { return_url: data.returnUrl } });
        if (result && result.error) fail(result.error.message);
      } else {
        await confirmOnServer();
      }
    } catch (err) {
      fail();
    }
  });
})();
