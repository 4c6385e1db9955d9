// The pay step, its wiring: the panel "Encaisser" opens, the cash buttons, "Autre montant"
// and its question, the cheque, the card terminal's step, and the error line. What a tap
// hands over and when the sale goes are pay.js's; sending it is sell_send.js's.
import { afterPayment, cashHanded, otherAmount, payView } from "./pay.js";
import { $, overlay } from "./sell_dom.js";
import { bindSending } from "./sell_send.js";
import { fill } from "./words.js";

// s: sell.js's screen. Returns {open, close, isOpen, render}.
export function bindPay(s) {
  const { root, cart, sale, T } = s;
  const box = $("[data-pay]");
  const { open, close } = overlay(root);
  const errors = errorLine();
  const card = cardStep(s, errors);
  const other = otherAmountBox(s, errors, (cents) => addPayment("cash", cents));
  const checkout = $("[data-checkout]");
  const exact = () => $("[data-cash='exact']").focus();

  checkout.addEventListener("click", () => {
    if (!cart.size) return;
    cart.clearPayments();
    errors.hide();
    other.reset();
    card.hide();
    render();
    open(box);
    s.basket.keep();
    exact();
  });
  $("[data-pay-back]").addEventListener("click", () => {
    if (sale.pending) return;
    cart.clearPayments();
    close(box);
    s.basket.keep();
    checkout.focus();
  });
  box.addEventListener("click", (event) => {
    if (sale.pending) return;
    const on = (selector) => event.target.closest(selector);
    const cash = on("[data-cash]");
    const method = on("[data-method]");
    const undo = on("[data-pay-undo]");
    if (cash) addPayment("cash", cashHanded(cart, cash.dataset.cash));
    else if (method?.dataset.method === "card") card.show(cart.due());
    else if (method) addPayment(method.dataset.method, cart.due());
    else if (on("[data-other-method]")) other.typed();
    else if (on("[data-confirm-yes]")) other.yes();
    else if (on("[data-confirm-no]")) other.no();
    else if (on("[data-card-accepted]")) {
      card.hide();
      addPayment("card", card.cents);
    } else if (on("[data-card-refused]")) {
      card.hide();
      errors.show(T.refused);
      exact();
    } else if (undo) {
      cart.undoPayment(Number(undo.dataset.payUndo));
      render();
    }
  });
  other.bindOpen();
  const sending = bindSending(s, { errors, render });

  function addPayment(method, amount) {
    if (!cart.pay(method, amount)) return; // nothing for 0 or less
    errors.hide();
    if (afterPayment(cart) === "send") sending.send();
    else render();
  }

  function render() {
    s.basket.keep();
    const view = payView(cart, T, s.money);
    $("[data-pay-total]").textContent = view.total;
    $("[data-pay-due]").textContent = view.due;
    $("[data-pay-list]").replaceChildren(...view.lines.map((text, i) => {
      const li = document.createElement("li");
      li.textContent = text;
      const undo = document.createElement("button");
      undo.type = "button";
      undo.className = "button button-small";
      undo.dataset.payUndo = String(i);
      undo.textContent = T.remove;
      li.append(undo);
      return li;
    }));
  }

  return {
    // Back to the panel as it was (a reload with it open): its payments drawn again.
    open() {
      render();
      open(box);
    },
    close: () => close(box),
    isOpen: () => !box.hidden,
  };
}

// The panel's error line, with "Réessayer" and "Ouvrir une nouvelle caisse" that go with it.
function errorLine() {
  const line = $("[data-pay-error]");
  return {
    show(text) {
      line.textContent = text;
      line.hidden = false;
    },
    hide() {
      line.hidden = true;
      $("[data-retry]").hidden = true;
      $("[data-reopen]").hidden = true;
    },
  };
}

// The card terminal is a machine of its own: the volunteer types the amount on it, and
// the sale is recorded only once she says it accepted the card.
function cardStep(s, errors) {
  const choice = $("[data-pay-choice]");
  const step = $("[data-card-step]");
  let cents = 0; // what the terminal was asked for
  return {
    show(amount) {
      cents = amount;
      errors.hide();
      $("[data-card-amount]").textContent = s.money(amount);
      choice.hidden = true;
      step.hidden = false;
      $("[data-card-accepted]").focus();
    },
    // Back to the choice of what the customer hands over.
    hide() {
      step.hidden = true;
      choice.hidden = false;
    },
    get cents() {
      return cents;
    },
  };
}

// "Autre montant": what the customer handed over, typed in euros. An amount far above
// what is left (350 typed for 3,50) is asked about first (pay.js, otherAmount).
function otherAmountBox(s, errors, take) {
  const { cart, T, money } = s;
  const other = $("[data-other]");
  const input = $("[data-other-input]");
  const confirm = $("[data-confirm]");
  let doubted = null; // cents typed, waiting for "Oui"

  function taken(cents) {
    doubted = null;
    input.value = "";
    other.hidden = true;
    confirm.hidden = true;
    take(cents);
  }
  return {
    bindOpen() {
      $("[data-other-open]").addEventListener("click", () => {
        other.hidden = !other.hidden;
        confirm.hidden = true;
        if (!other.hidden) input.focus();
      });
    },
    reset() {
      other.hidden = true;
      confirm.hidden = true;
    },
    typed() {
      const answer = otherAmount(cart, input.value);
      if (answer.refusal) return errors.show(T[answer.refusal]); // T.amount
      if (answer.ask === undefined) return taken(answer.take);
      doubted = answer.ask;
      $("[data-confirm-text]").textContent = fill(T.doubtful, { amount: money(answer.ask) });
      confirm.hidden = false;
      $("[data-confirm-yes]").focus();
    },
    yes: () => taken(doubted),
    // "Non (corriger)": back to the amount typed, selected.
    no() {
      doubted = null;
      confirm.hidden = true;
      input.focus();
      input.select();
    },
  };
}
